#!/usr/bin/env node
// Layering and purity lint for one package: `node scripts/lint-imports.mjs <pkgdir>`
// (each package's `lint` script). Checks every .ts under <pkgdir>/src:
//  - @gatehouse/* imports only from the layers below it (docs/architecture.md), only the
//    package root (no deep imports), and only packages declared in its package.json;
//  - no relative import that leaves src/;
//  - pure packages: no I/O modules, no process.env, no clock, no randomness.
// Prints `file:line: message` per violation and exits 1 if there is any.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";

/** Which @gatehouse packages each package may import. Keep in step with docs/architecture.md. */
const ALLOWED = {
  "@gatehouse/model": [],
  "@gatehouse/graph": ["@gatehouse/model"],
  "@gatehouse/ir": ["@gatehouse/model", "@gatehouse/graph"],
  "@gatehouse/provider-api": ["@gatehouse/model", "@gatehouse/graph", "@gatehouse/ir"],
  "@gatehouse/status": ["@gatehouse/model", "@gatehouse/graph", "@gatehouse/ir", "@gatehouse/provider-api"],
  "@gatehouse/core": ["@gatehouse/model", "@gatehouse/graph", "@gatehouse/ir", "@gatehouse/provider-api", "@gatehouse/status"],
};
/** Providers (providers/*) see the desired state and the contract, never the graph or status. */
const PROVIDER_ALLOWED = ["@gatehouse/model", "@gatehouse/ir", "@gatehouse/provider-api"];
/** The operator wires everything: every core package and every provider. */
const OPERATOR = "@gatehouse/operator";
/** Test infrastructure (the real control plane): imports nothing of ours, does I/O. */
const TEST_HARNESS = "@gatehouse/test-harness";
/** Test double of the Compute Engine REST API (test/fakes/gcp): imports nothing of ours, does I/O. */
const FAKE_GCP = "@gatehouse/fake-gcp";
/** Test double of the Amazon VPC Lattice API (test/fakes/lattice): imports nothing of ours, does I/O. */
const FAKE_LATTICE = "@gatehouse/fake-lattice";

/** Packages that must stay pure: same input, same output, no I/O. */
const PURE = new Set(Object.keys(ALLOWED));

const IO_MODULES = new Set([
  "fs", "fs/promises", "net", "http", "https", "http2", "child_process", "dgram", "dns", "dns/promises", "tls",
  "cluster", "worker_threads", "readline", "inspector",
]);

/**
 * Pure helpers of an I/O module that may be imported by name: node:net's address
 * classifiers are string functions with no socket behind them.
 */
const PURE_NAMED = { net: new Set(["isIP", "isIPv4", "isIPv6"]) };

/** Banned expressions in pure packages (matched on code with comments and strings blanked). */
const IMPURE = [
  [/\bprocess\s*\.\s*env\b/, "process.env (configuration is injected, not read)"],
  [/\bprocess\s*\.\s*(hrtime|uptime|cwd|argv)\b/, "process state (pure code is a function of its input)"],
  [/\bDate\s*\.\s*now\b/, "Date.now (the time is injected as `now`)"],
  [/\bnew\s+Date\s*\(\s*\)/, "new Date() without an argument (the time is injected as `now`)"],
  [/\bperformance\s*\.\s*now\b/, "performance.now (the time is injected as `now`)"],
  [/\bMath\s*\.\s*random\b/, "Math.random (output must be deterministic)"],
  [/\b(randomUUID|randomBytes|randomInt|getRandomValues)\b/, "crypto randomness (output must be deterministic)"],
];

function usage(msg) {
  process.stderr.write(`lint-imports: ${msg}\nusage: node scripts/lint-imports.mjs <pkgdir>\n`);
  process.exit(2);
}

const pkgDir = resolve(process.argv[2] ?? usage("missing <pkgdir>"));
let pkg;
try {
  pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
} catch (e) {
  usage(`${pkgDir}/package.json: ${e.code === "ENOENT" ? "no such file" : e.message}`);
}
const name = pkg.name;
const isProvider = basename(dirname(pkgDir)) === "providers";
let allowed;
if (name in ALLOWED) allowed = ALLOWED[name];
else if (isProvider) allowed = PROVIDER_ALLOWED;
else if (name === OPERATOR) allowed = null; // any @gatehouse package
else if (name === TEST_HARNESS || name === FAKE_GCP || name === FAKE_LATTICE) allowed = [];
else usage(`no layering rules for ${name}: add it to docs/architecture.md and scripts/lint-imports.mjs`);
const pure = PURE.has(name);
const declared = new Set(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }));

const srcDir = join(pkgDir, "src");
const files = [];
(function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (e.endsWith(".ts") || e.endsWith(".mts") || e.endsWith(".cts")) files.push(p);
  }
})(srcDir);

const violations = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const { code, codeNoStrings } = strip(text);
  const where = (index) => `${relative(process.cwd(), file) || file}:${lineOf(text, index)}`;
  for (const { spec, index, names } of moduleSpecifiers(code)) {
    const problem = checkSpecifier(spec, file, names);
    if (problem) violations.push(`${where(index)}: ${problem}`);
  }
  if (pure) {
    for (const [re, why] of IMPURE) {
      const g = new RegExp(re.source, "g");
      for (const m of codeNoStrings.matchAll(g)) violations.push(`${where(m.index)}: ${name} is pure: ${why}`);
    }
  }
}

for (const v of violations.sort(byFileLine)) process.stdout.write(`${v}\n`);
if (violations.length) {
  process.stdout.write(`lint-imports: ${name}: ${violations.length} violation(s); the rules are in docs/architecture.md\n`);
  process.exit(1);
}

function checkSpecifier(spec, file, names) {
  if (spec.startsWith(".")) {
    const target = resolve(dirname(file), spec);
    if (target !== srcDir && !target.startsWith(srcDir + sep)) return `relative import "${spec}" leaves src/ (import the package instead)`;
    return null;
  }
  if (spec.startsWith("@gatehouse/")) {
    const target = spec.split("/").slice(0, 2).join("/");
    if (target === name) return `imports itself through "${spec}" (use a relative import)`;
    if (spec !== target) return `deep import "${spec}" (import "${target}"; export what you need from its index)`;
    if (allowed && !allowed.includes(target)) {
      return `${name} may not import ${target} (allowed: ${allowed.length ? allowed.join(", ") : "no @gatehouse package"})`;
    }
    if (!declared.has(target)) return `imports ${target} but package.json does not depend on it`;
    return null;
  }
  if (pure) {
    const bare = spec.replace(/^node:/, "");
    const pureNames = PURE_NAMED[bare];
    if (pureNames && names && names.length && names.every((n) => pureNames.has(n))) return null;
    if (IO_MODULES.has(bare)) return `${name} is pure: no I/O module "${spec}"`;
  }
  return null;
}

/** Module specifiers of static imports/exports, import() and require(), with their offsets. */
function moduleSpecifiers(code) {
  const out = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^;'"`]*?\bfrom\s*(['"])([^'"]+)\1/g,
    /\bimport\s*(['"])([^'"]+)\1/g,
    /\bimport\s*\(\s*(['"])([^'"]+)\1/g,
    /\brequire\s*\(\s*(['"])([^'"]+)\1/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push({ spec: m[2], index: m.index, names: importedNames(m[0]) });
  return out;
}

/** Names of `import { a, b as c } from …` (the imported names, a and b); null for any other form. */
function importedNames(statement) {
  const m = /^import\s+(?:type\s+)?\{([^}]*)\}\s*from/.exec(statement);
  if (!m) return null;
  return m[1].split(",").map((s) => s.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]).filter(Boolean);
}

/**
 * Blanks comments (keeping newlines, so offsets and line numbers hold). Returns the code
 * with strings intact (for module specifiers) and with string and regex contents blanked
 * (for the purity patterns, so a message that mentions Date.now is not a violation).
 */
function strip(src) {
  let code = "";
  let noStr = "";
  let i = 0;
  const templateDepth = []; // brace depth at which each open ${ … } returns to a template
  let braces = 0;
  let prevSignificant = "";
  const blank = (s) => s.replace(/[^\n]/g, " ");
  const emit = (s, inString) => {
    code += s;
    noStr += inString ? blank(s) : s;
  };
  const readString = (q) => {
    let j = i + 1;
    while (j < src.length && src[j] !== q && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
    return j + 1;
  };
  const readTemplate = (start) => {
    // from just after ` or } to the closing ` or the next ${
    let j = start;
    while (j < src.length) {
      if (src[j] === "\\") j += 2;
      else if (src[j] === "`") return { end: j + 1, opens: false };
      else if (src[j] === "$" && src[j + 1] === "{") return { end: j + 2, opens: true };
      else j++;
    }
    return { end: j, opens: false };
  };
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === "/" && n === "/") {
      const j = src.indexOf("\n", i);
      const end = j < 0 ? src.length : j;
      const s = blank(src.slice(i, end));
      code += s; noStr += s; i = end;
    } else if (c === "/" && n === "*") {
      const j = src.indexOf("*/", i + 2);
      const end = j < 0 ? src.length : j + 2;
      const s = blank(src.slice(i, end));
      code += s; noStr += s; i = end;
    } else if (c === "'" || c === '"') {
      const end = readString(c);
      code += src.slice(i, end);
      noStr += c + blank(src.slice(i + 1, end - 1)) + src.slice(end - 1, end);
      i = end; prevSignificant = "a";
    } else if (c === "`" || (c === "}" && templateDepth.length && templateDepth.at(-1) === braces)) {
      if (c === "}") templateDepth.pop();
      const { end, opens } = readTemplate(i + 1);
      emit(src.slice(i, end), true);
      if (opens) templateDepth.push(braces);
      i = end; prevSignificant = "a";
    } else if (c === "/" && /^$|[(,=:[!&|?{};+\-*%<>~^]$/.test(prevSignificant) || (c === "/" && /\b(return|typeof|case|in|of)$/.test(code.trimEnd()))) {
      // regex literal
      let j = i + 1;
      let cls = false;
      while (j < src.length && src[j] !== "\n") {
        if (src[j] === "\\") { j += 2; continue; }
        if (src[j] === "[") cls = true;
        else if (src[j] === "]") cls = false;
        else if (src[j] === "/" && !cls) break;
        j++;
      }
      j++;
      while (j < src.length && /[a-z]/.test(src[j])) j++;
      emit(src.slice(i, j), true);
      i = j; prevSignificant = "a";
    } else {
      if (c === "{") braces++;
      else if (c === "}") braces--;
      emit(c, false);
      if (!/\s/.test(c)) prevSignificant = c;
      i++;
    }
  }
  return { code, codeNoStrings: noStr };
}

function lineOf(text, index) {
  let line = 1;
  for (let k = 0; k < index && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

function byFileLine(a, b) {
  const [fa, la] = a.split(":");
  const [fb, lb] = b.split(":");
  return fa === fb ? Number(la) - Number(lb) : fa < fb ? -1 : 1;
}
