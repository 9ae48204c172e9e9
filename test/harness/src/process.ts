// A control plane process: started through the builder's `exec` (so the kernel kills it
// if this process dies first), output appended to a log file, stopped with SIGTERM and,
// after a grace period, SIGKILL.
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, openSync, readFileSync } from "node:fs";

/** Every process started here, killed on exit if a test forgot to stop it. */
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

export class ManagedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private done = false;

  constructor(
    readonly name: string,
    tool: string,
    binary: string,
    args: string[],
    readonly logPath: string,
  ) {
    const fd = openSync(logPath, "a");
    try {
      this.child = spawn(tool, ["exec", binary, ...args], { stdio: ["ignore", fd, fd] });
    } finally {
      closeSync(fd);
    }
    live.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.done = true;
        live.delete(this.child);
        resolve({ code, signal });
      });
      this.child.on("error", (err) => {
        this.done = true;
        live.delete(this.child);
        appendNote(logPath, `spawn failed: ${err.message}`);
        resolve({ code: -1, signal: null });
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return !this.done;
  }

  /** The last lines of the log, for error messages. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.logPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (this.done) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function appendNote(path: string, note: string): void {
  try {
    appendFileSync(path, `harness: ${note}\n`);
  } catch {
    // best effort: the error is also in the exit result
  }
}
