import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseAllDocuments, parseDocument } from "yaml";
import { UsageError, fsProblem } from "./errors.js";
import { LOCAL_CONTROLLER } from "@gatehouse/provider-local";

/** The standalone config file (examples/standalone.yaml), validated. */
export interface StandaloneConfig {
  /** The file as the user named it, for messages. */
  file: string;
  /**
   * What --config named: a config file (controllerName + manifests), or a directory or
   * manifest file served as is with the default controllerName.
   */
  source: "config" | "directory" | "manifest";
  controllerName: string;
  /** Manifest files or directories, resolved against the config file's directory. */
  manifests: { entry: string; path: string; field: string }[];
}

const KNOWN_FIELDS = new Set(["controllerName", "manifests"]);

/**
 * Reads and validates the config; every problem is a UsageError naming the field. `file` may
 * also be a directory of manifests or a manifest file (a YAML stream of objects with `kind`):
 * those are served with the default controllerName.
 */
export async function loadStandaloneConfig(file: string): Promise<StandaloneConfig> {
  let text: string;
  try {
    if ((await stat(file)).isDirectory()) {
      return { file, source: "directory", controllerName: LOCAL_CONTROLLER, manifests: [{ entry: file, path: resolve(file), field: "directory" }] };
    }
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new UsageError(`${file}: ${fsProblem(e)}`);
  }
  if (looksLikeManifests(text)) {
    return { file, source: "manifest", controllerName: LOCAL_CONTROLLER, manifests: [{ entry: file, path: resolve(file), field: "file" }] };
  }
  const doc = parseDocument(text);
  const err = doc.errors[0];
  if (err) throw new UsageError(`${file}: ${yamlErrorText(err)}`);
  const raw: unknown = doc.toJS();
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new UsageError(`${file}: expected a mapping with controllerName and manifests`);
  }
  const obj = raw as Record<string, unknown>;
  for (const k of Object.keys(obj).sort()) {
    if (!KNOWN_FIELDS.has(k)) throw new UsageError(`${file}: ${k}: unknown field (known: ${[...KNOWN_FIELDS].join(", ")})`);
  }

  const controllerName = obj.controllerName ?? LOCAL_CONTROLLER;
  if (typeof controllerName !== "string" || !/^[a-z0-9.-]+\/[A-Za-z0-9/._~%!$&'()*+,;=:-]+$/.test(controllerName)) {
    throw new UsageError(`${file}: controllerName: ${JSON.stringify(controllerName)} is not a domain-prefixed path like ${LOCAL_CONTROLLER}`);
  }

  const list = obj.manifests;
  if (!Array.isArray(list) || list.length === 0) {
    throw new UsageError(`${file}: manifests: expected a non-empty list of files or directories`);
  }
  const base = dirname(resolve(file));
  const manifests = list.map((entry: unknown, i) => {
    const field = `manifests[${i}]`;
    if (typeof entry !== "string" || entry === "") throw new UsageError(`${file}: ${field}: expected a path, got ${JSON.stringify(entry)}`);
    return { entry, path: resolve(base, entry), field };
  });
  return { file, source: "config", controllerName, manifests };
}

/** Several YAML documents, or one whose top level has `kind` or `apiVersion`: Kubernetes objects, not a config. */
function looksLikeManifests(text: string): boolean {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return false;
  const nonEmpty = docs.filter((d) => d.contents !== null);
  if (nonEmpty.length > 1) return true;
  const only = nonEmpty[0];
  if (!only || only.errors.length > 0) return false;
  const v: unknown = only.toJS();
  return !!v && typeof v === "object" && !Array.isArray(v) && ("kind" in v || "apiVersion" in v);
}

/** One line for a YAML parse error: `line 3, column 5: message`. */
export function yamlErrorText(err: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] | undefined }): string {
  const first = err.message.split("\n")[0] ?? "invalid YAML";
  const pos = err.linePos?.[0];
  const text = first.replace(/ at line \d+, column \d+:?$/, "");
  return pos ? `line ${pos.line}, column ${pos.col}: ${text}` : text;
}
