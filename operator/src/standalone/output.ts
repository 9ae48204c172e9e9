// What standalone prints for people: statuses and reload notes on stdout, problems with the
// input on stderr (`gatehouse: <file>: <object>: <field>: <message>`, one line each). Logs
// (JSON, pino) stay on stderr at --log-level; this is the readable channel.
export interface Output {
  /** A block of lines on stdout (a status, a reload note). */
  print(text: string): void;
  /** One line on stderr, prefixed `gatehouse: `. */
  problem(line: string): void;
}

export const consoleOutput: Output = {
  print: (text) => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  problem: (line) => void process.stderr.write(`gatehouse: ${line.replace(/\s*\n\s*/g, " ")}\n`),
};
