import { invalidField } from "./errors.js";
import type { Json } from "./json.js";
import { isObj } from "./json.js";

/**
 * List filters as Compute documents them: `name = "x"`, `name != x`, `labels.owner:*`,
 * `(a = 1) (b = 2)` (implicit AND), `AND`, `OR`, `field eq 'regex'` / `ne`, `*` wildcards
 * in `=`, and `<`/`>` on numbers. Values compare against the resource as `get` returns it.
 */
type Node =
  | { t: "and" | "or"; a: Node; b: Node }
  | { t: "not"; a: Node }
  | { t: "cmp"; field: string; op: string; value: string };

type Tok = { k: "(" | ")" | "op" | "word" | "str"; v: string };

const OPS = ["!=", ">=", "<=", "=", ">", "<", ":"];

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === "(" || c === ")") { out.push({ k: c, v: c }); i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let v = "";
      while (j < s.length && s[j] !== c) {
        if (s[j] === "\\" && j + 1 < s.length) { v += s[j + 1]; j += 2; continue; }
        v += s[j];
        j++;
      }
      if (j >= s.length) throw new Error("unterminated string");
      out.push({ k: "str", v });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (op) { out.push({ k: "op", v: op }); i += op.length; continue; }
    let j = i;
    while (j < s.length && !/[\s()]/.test(s[j]!) && !OPS.some((o) => s.startsWith(o, j))) j++;
    out.push({ k: "word", v: s.slice(i, j) });
    i = j;
  }
  return out;
}

function parse(s: string): Node {
  const toks = tokenize(s);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const isKw = (t: Tok | undefined, kw: string): boolean => t?.k === "word" && t.v === kw;
  function expr(): Node {
    let n = conj();
    while (isKw(peek(), "OR")) { p++; n = { t: "or", a: n, b: conj() }; }
    return n;
  }
  function conj(): Node {
    let n = unary();
    for (;;) {
      const t = peek();
      if (!t || t.k === ")" || isKw(t, "OR")) return n;
      if (isKw(t, "AND")) p++;
      n = { t: "and", a: n, b: unary() };
    }
  }
  function unary(): Node {
    if (isKw(peek(), "NOT")) { p++; return { t: "not", a: unary() }; }
    const t = peek();
    if (t?.k === "(") {
      p++;
      const n = expr();
      if (peek()?.k !== ")") throw new Error("missing )");
      p++;
      return n;
    }
    if (t?.k !== "word") throw new Error("expected a field");
    p++;
    const opTok = peek();
    let op: string;
    if (opTok?.k === "op") op = opTok.v;
    else if (isKw(opTok, "eq") || isKw(opTok, "ne")) op = opTok!.v;
    else throw new Error("expected an operator");
    p++;
    const v = peek();
    if (!v || (v.k !== "word" && v.k !== "str")) throw new Error("expected a value");
    p++;
    return { t: "cmp", field: t.v, op, value: v.v };
  }
  const n = expr();
  if (p !== toks.length) throw new Error("trailing input");
  return n;
}

function valuesAt(res: unknown, field: string): unknown[] {
  let cur: unknown[] = [res];
  for (const part of field.split(".")) {
    const next: unknown[] = [];
    for (const c of cur) {
      const items = Array.isArray(c) ? c : [c];
      for (const it of items) if (isObj(it) && part in it) next.push(it[part]);
    }
    cur = next;
  }
  return cur.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

function cmpOne(actual: unknown, op: string, want: string): boolean {
  const a = typeof actual === "string" ? actual : typeof actual === "number" || typeof actual === "boolean" ? String(actual) : JSON.stringify(actual);
  switch (op) {
    case "=": return want.includes("*") ? glob(want).test(a) : a === want;
    case ":": return want === "*" ? true : want.includes("*") ? glob(want).test(a) : a.includes(want);
    case "eq": return new RegExp(`^(?:${want})$`).test(a);
    case ">": case "<": case ">=": case "<=": {
      const x = Number(a);
      const y = Number(want);
      const [l, r] = Number.isFinite(x) && Number.isFinite(y) ? [x, y] : [a, want];
      return op === ">" ? l > r : op === "<" ? l < r : op === ">=" ? l >= r : l <= r;
    }
    default: return false;
  }
}

function evaluate(n: Node, res: Json): boolean {
  switch (n.t) {
    case "and": return evaluate(n.a, res) && evaluate(n.b, res);
    case "or": return evaluate(n.a, res) || evaluate(n.b, res);
    case "not": return !evaluate(n.a, res);
    case "cmp": {
      const vals = valuesAt(res, n.field);
      if (n.op === "!=") return !vals.some((v) => cmpOne(v, "=", n.value));
      if (n.op === "ne") return !vals.some((v) => cmpOne(v, "eq", n.value));
      return vals.some((v) => cmpOne(v, n.op, n.value));
    }
  }
}

export function compileFilter(filter: string | null): (r: Json) => boolean {
  if (!filter || !filter.trim()) return () => true;
  let n: Node;
  try {
    n = parse(filter);
    // compile regexes now so a bad one is a 400, not a crash per item
    const check = (x: Node): void => {
      if (x.t === "cmp" && (x.op === "eq" || x.op === "ne")) new RegExp(x.value);
      else if (x.t === "and" || x.t === "or") { check(x.a); check(x.b); }
      else if (x.t === "not") check(x.a);
    };
    check(n);
  } catch {
    throw invalidField("filter", filter, "Invalid list filter expression.");
  }
  return (r) => evaluate(n, r);
}

/** One page of a list call: filter, orderBy, maxResults (≤ 500), pageToken. */
export function paginate(items: Json[], q: URLSearchParams): { items: Json[]; nextPageToken?: string } {
  const filter = q.get("filter");
  const orderBy = q.get("orderBy") ?? "";
  const match = compileFilter(filter);
  const list = items.filter(match);
  const key = (r: Json, f: string): string => String(r[f] ?? "");
  if (orderBy === "" || orderBy === "name") list.sort((a, b) => (key(a, "name") < key(b, "name") ? -1 : key(a, "name") > key(b, "name") ? 1 : 0));
  else if (orderBy === "creationTimestamp desc") list.sort((a, b) => (key(a, "creationTimestamp") > key(b, "creationTimestamp") ? -1 : key(a, "creationTimestamp") < key(b, "creationTimestamp") ? 1 : (key(a, "id") > key(b, "id") ? -1 : 1)));
  else throw invalidField("orderBy", orderBy, "Allowed values: 'name', 'creationTimestamp desc'.");
  const rawMax = q.get("maxResults");
  let max = 500;
  if (rawMax !== null && rawMax !== "") {
    const m = Number(rawMax);
    if (!Number.isInteger(m) || m < 0 || m > 500) throw invalidField("maxResults", rawMax, "Must be less than or equal to 500");
    if (m > 0) max = m;
  }
  let offset = 0;
  const token = q.get("pageToken");
  if (token) {
    try {
      const t = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown; f?: unknown; s?: unknown };
      if (typeof t.o !== "number" || t.f !== (filter ?? "") || t.s !== orderBy) throw new Error("mismatch");
      offset = t.o;
    } catch {
      throw invalidField("pageToken", token, "Invalid page token.");
    }
  }
  const page = list.slice(offset, offset + max);
  const next = offset + max;
  if (next < list.length) {
    return { items: page, nextPageToken: Buffer.from(JSON.stringify({ o: next, f: filter ?? "", s: orderBy })).toString("base64url") };
  }
  return { items: page };
}
