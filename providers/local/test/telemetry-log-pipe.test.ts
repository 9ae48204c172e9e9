// The access log on a pipe, as a container runtime gives stdout: each worker thread writes
// through its own non-blocking descriptor of the FIFO, pieces stay whole lines while another
// thread writes to the same pipe, and a reader that stops for a while (a full pipe, EAGAIN)
// loses nothing.
import test from "ava";
import { execFileSync, fork } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./fixtures/log-pipe-child.js", import.meta.url));

test("access log to a FIFO stdout: own non-blocking descriptor per worker, whole lines, nothing lost behind a stalled reader", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-log-pipe-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, "stdout");
  execFileSync("mkfifo", [fifo]);
  const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(fifo, constants.O_WRONLY);
  const reader = new Socket({ fd: readFd, readable: true, writable: false });
  const chunks: Buffer[] = [];
  reader.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => reader.once("end", () => resolve()));
  // The reader stalls first: the 64 KiB pipe fills and the writers meet EAGAIN.
  reader.pause();
  const child = fork(CHILD, [], { stdio: ["ignore", writeFd, "inherit", "ipc"] });
  closeSync(writeFd);
  const report = new Promise<{ reports: { worker: number; mode: string; written: number; dropped: number }[]; main: number }>((resolve) => child.once("message", resolve as never));
  await new Promise((r) => setTimeout(r, 500));
  reader.resume();
  const { reports, main } = await report;
  await ended;

  t.deepEqual(reports.map((r) => r.mode).sort(), ["pipe", "pipe"]);
  for (const r of reports) t.deepEqual([r.written, r.dropped], [3000, 0], `worker ${r.worker}`);
  const text = Buffer.concat(chunks).toString("utf8");
  t.true(text.endsWith("\n"));
  const seen = [new Array<number>(), new Array<number>()];
  let mainLines = 0;
  for (const line of text.slice(0, -1).split("\n")) {
    const o = JSON.parse(line) as { w?: number; n?: number; pad?: string; main?: number };
    if (o.main !== undefined) { mainLines++; continue; }
    t.is(o.pad!.length, (o.n! * 397) % 1500);
    seen[o.w!]!.push(o.n!);
  }
  t.is(mainLines, main);
  // Every line once, in order per worker (one thread writes its pieces in sequence).
  for (const s of seen) t.deepEqual(s, Array.from({ length: 3000 }, (_, i) => i));
});
