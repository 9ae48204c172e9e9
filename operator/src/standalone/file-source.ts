// The standalone Source: objects from manifest files instead of an API server. Watches the
// config file and the manifests (fs.watch on their directories, one per directory of a
// tree: editors that replace a file by renaming are seen, and Node's recursive watch loses
// files replaced that way), re-reads everything after a quiet period, and swaps the
// snapshot in only when every file reads cleanly: on any problem the last good snapshot
// keeps serving and each problem is printed once.
import { readdirSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Snapshot } from "@gatehouse/model";
import { loadStandaloneConfig, type StandaloneConfig } from "../config.js";
import { UsageError } from "../errors.js";
import type { Source } from "../ports.js";
import type { Output } from "./output.js";
import { readManifests, type ReadResult } from "./read.js";
import { SnapshotBuilder, type SnapshotChanges } from "./snapshot.js";

export interface FileSourceOptions {
  config: StandaloneConfig;
  /** The first read of the manifests (checked by the caller: it has no problems). */
  initial: ReadResult;
  /** Quiet time after the last file event before re-reading. */
  debounceMs: number;
  out: Output;
  /** RFC 3339, second precision: creationTimestamp of new objects. */
  now: () => string;
  /** Called with `Kind ns/name` of objects that left the files. */
  onRemoved?: (ids: readonly string[]) => void;
}

/** A directory to watch; `file`: only events for this name count. */
interface WatchTarget { dir: string; file?: string }

const REWATCH_MS = 2000;

export class FileSource implements Source {
  private config: StandaloneConfig;
  /** The config whose files are watched: the last one read, even if its manifests had problems. */
  private watched: StandaloneConfig;
  private readonly builder = new SnapshotBuilder();
  private current: Snapshot;
  private readonly listeners: (() => void)[] = [];
  private watchers = new Map<string, FSWatcher | undefined>();
  private timer: NodeJS.Timeout | undefined;
  private rewatchTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastProblems = "";
  private lastIgnored: string;
  private reloads = 0;

  constructor(private readonly opts: FileSourceOptions) {
    this.config = opts.config;
    this.watched = opts.config;
    this.current = this.builder.build(opts.initial.objects, opts.now()).snapshot;
    this.lastIgnored = opts.initial.ignored.join("\n");
  }

  async start(): Promise<void> {
    this.rewatch();
    // Files may have changed between the first read and the watches: read once more.
    this.schedule();
  }

  snapshot(): Snapshot {
    return this.current;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.rewatchTimer) clearInterval(this.rewatchTimer);
    for (const w of this.watchers.values()) w?.close();
    this.watchers.clear();
    await this.reloading;
  }

  /** Successful reloads so far (tests). */
  get reloadCount(): number { return this.reloads; }

  /** Re-reads now (after the running reload, if any). */
  reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          try {
            await this.reloadOnce();
          } catch (e) {
            // Never take the gateway down over a reload: report and keep serving.
            this.refuse([`reload failed: ${e instanceof Error ? e.message : String(e)}`]);
          }
        } while (this.again && !this.stopped);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reload();
    }, this.opts.debounceMs);
  }

  private async reloadOnce(): Promise<void> {
    const out = this.opts.out;
    let config = this.config;
    if (config.source === "config") {
      try {
        config = await loadStandaloneConfig(config.file);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        return this.refuse([e.message]);
      }
      if (config.controllerName !== this.config.controllerName) {
        return this.refuse([`${config.file}: controllerName: changed from ${this.config.controllerName} to ${config.controllerName}; restart gatehouse to serve another controller`]);
      }
    }
    const read = await readManifests(config);
    if (this.stopped) return;
    // Watch what this config names (new entries, new subdirectories), good or not yet.
    this.watched = config;
    this.rewatch();
    if (read.problems.length > 0) return this.refuse(read.problems);
    const hadProblems = this.lastProblems !== "";
    this.lastProblems = "";
    this.config = config;
    const ignored = read.ignored.join("\n");
    if (ignored !== this.lastIgnored) {
      this.lastIgnored = ignored;
      for (const i of read.ignored) out.problem(`${i}: ignored (not a kind gatehouse reads)`);
    }
    const { snapshot, changes } = this.builder.build(read.objects, this.opts.now());
    this.reloads++;
    if (changes.added.length + changes.changed.length + changes.removed.length === 0) {
      // Say so, or a fix back to the serving config would go unanswered.
      if (hadProblems) out.print("reloaded: the files read cleanly again; nothing changed");
      return;
    }
    this.current = snapshot;
    out.print(describeChanges(changes));
    if (changes.removed.length > 0) this.opts.onRemoved?.(changes.removed);
    for (const l of this.listeners) l();
  }

  /** Prints the problems (once per distinct set); the current snapshot stays. */
  private refuse(problems: string[]): void {
    const text = problems.join("\n");
    if (text === this.lastProblems) return;
    this.lastProblems = text;
    problems.forEach((p, i) => this.opts.out.problem(i === problems.length - 1
      ? `${p} (not reloaded: still serving the last good config)`
      : p));
  }

  private targets(): WatchTarget[] {
    const t: WatchTarget[] = [];
    if (this.watched.source === "config") t.push({ dir: dirname(this.watched.file), file: basename(this.watched.file) });
    for (const m of this.watched.manifests) {
      const dirs = directoryTree(m.path);
      if (dirs) for (const dir of dirs) t.push({ dir });
      else t.push({ dir: dirname(m.path), file: basename(m.path) });
    }
    return t;
  }

  /** Watches every target; a target that cannot be watched (yet) is retried every few seconds. */
  private rewatch(): void {
    if (this.stopped) return;
    const wanted = new Map(this.targets().map((t) => [`${t.dir}\0${t.file ?? ""}`, t]));
    for (const [id, w] of this.watchers) {
      if (!wanted.has(id)) {
        w?.close();
        this.watchers.delete(id);
      }
    }
    let missing = false;
    for (const [id, t] of wanted) {
      if (this.watchers.get(id)) continue;
      const w = this.watchOne(t, id);
      this.watchers.set(id, w);
      if (!w) missing = true;
    }
    if (missing && !this.rewatchTimer) {
      this.rewatchTimer = setInterval(() => {
        const before = [...this.watchers.values()].filter((w) => !w).length;
        this.rewatch();
        const after = [...this.watchers.values()].filter((w) => !w).length;
        if (after < before) this.schedule(); // something appeared: read it
        if (after === 0 && this.rewatchTimer) {
          clearInterval(this.rewatchTimer);
          this.rewatchTimer = undefined;
        }
      }, REWATCH_MS);
      this.rewatchTimer.unref();
    }
  }

  private watchOne(t: WatchTarget, id: string): FSWatcher | undefined {
    try {
      const w = watch(t.dir, (_event, name) => {
        if (t.file && name !== null && basename(String(name)) !== t.file) return;
        this.schedule();
      });
      w.on("error", () => {
        // The directory went away (or was replaced): watch again once it is back.
        w.close();
        if (this.watchers.get(id) === w) this.watchers.set(id, undefined);
        this.schedule();
        this.rewatch();
      });
      return w;
    } catch {
      return undefined;
    }
  }
}

function describeChanges(c: SnapshotChanges): string {
  const parts = [
    ...c.added.map((id) => `+ ${id}`),
    ...c.changed.map((id) => `~ ${id}`),
    ...c.removed.map((id) => `- ${id}`),
  ];
  return `reloaded: ${parts.join(", ")}`;
}

/** A directory and its subdirectories (dot-directories skipped, as the reader skips them); undefined for a file or a missing path. */
function directoryTree(path: string): string[] | undefined {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    // A manifest directory that is missing right now: watch where it would appear.
    return code === "ENOTDIR" || code === "ENOENT" ? undefined : [path];
  }
  const out = [path];
  for (const d of entries) if (d.isDirectory() && !d.name.startsWith(".")) out.push(...(directoryTree(join(path, d.name)) ?? []));
  return out;
}
