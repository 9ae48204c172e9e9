import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { UsageError, fsProblem } from "./errors.js";
import { yamlErrorText } from "./config.js";

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** One object read from a manifest file, with where it came from (for messages). */
export interface LoadedObject {
  object: unknown;
  origin: string;                 // `path/to/file.yaml#2` (document index, from 0)
}

export interface ManifestEntry {
  /** Absolute or cwd-relative path of a file or directory. */
  path: string;
  /** Prefix for messages about this entry, e.g. `examples/standalone.yaml: manifests[1]`. */
  label: string;
}

/**
 * Reads every object from files and directories (directories recursively, *.yaml, *.yml,
 * *.json, in name order). Multi-document YAML and `kind: List` are flattened. An entry
 * that does not exist or does not parse is a UsageError naming the entry and the line.
 */
export async function loadManifests(entries: readonly ManifestEntry[]): Promise<LoadedObject[]> {
  const out: LoadedObject[] = [];
  for (const entry of entries) {
    let files: string[];
    try {
      files = await manifestFiles(entry.path);
    } catch (e) {
      throw new UsageError(`${entry.label}: ${fsProblem(e)}: ${display(entry.path)}`);
    }
    for (const f of files) out.push(...(await loadFile(f)));
  }
  return out;
}

async function manifestFiles(path: string): Promise<string[]> {
  const st = await stat(path);
  if (!st.isDirectory()) return [path];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of names) {
      const p = join(dir, d.name);
      if (d.isDirectory()) await walk(p);
      else if (MANIFEST_EXTENSIONS.has(extname(d.name).toLowerCase())) found.push(p);
    }
  };
  await walk(path);
  return found;
}

async function loadFile(file: string): Promise<LoadedObject[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new UsageError(`${display(file)}: ${fsProblem(e)}`);
  }
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  const out: LoadedObject[] = [];
  list.forEach((doc, i) => {
    const err = doc.errors[0];
    if (err) throw new UsageError(`${display(file)}: ${yamlErrorText(err)}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    const origin = `${display(file)}#${i}`;
    const items = (value as { kind?: unknown; items?: unknown }).kind === "List" ? (value as { items?: unknown }).items : undefined;
    if (Array.isArray(items)) items.forEach((object, j) => out.push({ object, origin: `${origin}.items[${j}]` }));
    else out.push({ object: value, origin });
  });
  return out;
}

/** Paths in messages: relative to the working directory when that is shorter. */
export function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") && rel.length < path.length ? rel : path;
}
