// Reads the manifests of a standalone config: every problem (unreadable file, YAML error,
// object without kind or name, wrong-typed field, one object defined twice) becomes one
// line naming the file, the object and the field. Never throws.
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import { KIND, isNamespaced, type Kind } from "@gatehouse/model";
import type { StandaloneConfig } from "../config.js";
import { yamlErrorText } from "../config.js";
import { fsProblem } from "../errors.js";
import { display } from "../manifests.js";
import { typeProblems } from "./schema-check.js";

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** One object of a kind gatehouse reads, with where it came from. */
export interface ReadObject {
  kind: Kind;
  /** `namespace/name`, or `name` for cluster-scoped kinds (namespace defaulted to `default`, as kubectl does). */
  key: string;
  object: Record<string, unknown>;
  /** `examples/manifests/20-gateway.yaml:12` (line of the document). */
  origin: string;
}

export interface ReadResult {
  objects: ReadObject[];
  /** Files read (absolute), sorted. */
  files: string[];
  /** One line each: `file:line: Kind ns/name: field: message`. Empty when the manifests are good. */
  problems: string[];
  /** Objects of kinds gatehouse does not read (skipped, not an error): `file:line: Deployment default/x`. */
  ignored: string[];
}

const KINDS = new Set<string>(Object.values(KIND));

export async function readManifests(cfg: StandaloneConfig): Promise<ReadResult> {
  const res: ReadResult = { objects: [], files: [], problems: [], ignored: [] };
  for (const m of cfg.manifests) {
    let files: string[];
    try {
      files = await manifestFiles(m.path);
    } catch (e) {
      res.problems.push(cfg.source === "config"
        ? `${cfg.file}: ${m.field}: ${fsProblem(e)}: ${display(m.path)}`
        : `${display(m.path)}: ${fsProblem(e)}`);
      continue;
    }
    for (const f of files) {
      res.files.push(f);
      await readFileInto(f, res);
    }
  }
  res.files.sort();
  findDuplicates(res);
  return res;
}

/** Files of a manifest entry: the file itself, or a directory's *.yaml/*.yml/*.json (recursive, name order, dotfiles skipped). */
export async function manifestFiles(path: string): Promise<string[]> {
  const st = await stat(path);
  if (!st.isDirectory()) return [path];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of entries) {
      // Editors' swap, lock and backup files start with a dot.
      if (d.name.startsWith(".")) continue;
      const p = join(dir, d.name);
      if (d.isDirectory()) await walk(p);
      else if (MANIFEST_EXTENSIONS.has(extname(d.name).toLowerCase())) found.push(p);
    }
  };
  await walk(path);
  return found;
}

async function readFileInto(file: string, res: ReadResult): Promise<void> {
  const name = display(file);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    res.problems.push(`${name}: ${fsProblem(e)}`);
    return;
  }
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      res.problems.push(`${name}: ${yamlErrorText(err)}`);
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      res.problems.push(`${name}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    const line = lines.linePos(contentStart(doc)).line;
    const items = isRecord(value) && value.kind === "List" && Array.isArray(value.items) ? value.items : undefined;
    if (items) items.forEach((item: unknown, j) => addObject(item, `${name}:${line}`, `items[${j}]: `, res));
    else addObject(value, `${name}:${line}`, "", res);
  }
}

function addObject(value: unknown, origin: string, prefix: string, res: ReadResult): void {
  if (!isRecord(value)) {
    res.problems.push(`${origin}: ${prefix}expected a Kubernetes object (a mapping with kind and metadata), got ${Array.isArray(value) ? "a list" : JSON.stringify(value)}`);
    return;
  }
  const kind = value.kind;
  if (typeof kind !== "string" || kind === "") {
    res.problems.push(`${origin}: ${prefix}kind: missing (every object needs kind, apiVersion and metadata.name)`);
    return;
  }
  const meta = value.metadata;
  const name = isRecord(meta) ? meta.name : undefined;
  if (typeof name !== "string" || name === "") {
    res.problems.push(`${origin}: ${prefix}${kind}: metadata.name: ${meta === undefined ? "missing (no metadata)" : name === undefined ? "missing" : `expected a string, got ${JSON.stringify(name)}`}`);
    return;
  }
  const ns = (meta as Record<string, unknown>).namespace;
  if (ns !== undefined && (typeof ns !== "string" || ns === "")) {
    res.problems.push(`${origin}: ${prefix}${kind} ${name}: metadata.namespace: expected a namespace name, got ${JSON.stringify(ns)}`);
    return;
  }
  if (!KINDS.has(kind)) {
    res.ignored.push(`${origin}: ${kind} ${typeof ns === "string" ? `${ns}/` : ""}${name}`);
    return;
  }
  const k = kind as Kind;
  const namespace = isNamespaced(k) ? (ns as string | undefined) ?? "default" : undefined;
  const label = `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
  const typeErrors = typeProblems(value);
  for (const p of typeErrors) res.problems.push(`${origin}: ${prefix}${label}: ${p.field}: ${p.message}`);
  if (typeErrors.length > 0) return;
  res.objects.push({ kind: k, key: namespace ? `${namespace}/${name}` : name, object: value, origin });
}

function findDuplicates(res: ReadResult): void {
  const first = new Map<string, ReadObject>();
  for (const o of res.objects) {
    const id = `${o.kind}/${o.key}`;
    const prev = first.get(id);
    if (prev) res.problems.push(`${o.origin}: ${o.kind} ${o.key}: defined twice (also at ${prev.origin})`);
    else first.set(id, o);
  }
}

/** Offset of a document's first content (skipping a leading comment block), for its line number. */
function contentStart(doc: { contents: unknown; range: [number, number, number] }): number {
  const c = doc.contents as { range?: [number, number, number] } | null;
  return c?.range?.[0] ?? doc.range[0];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
