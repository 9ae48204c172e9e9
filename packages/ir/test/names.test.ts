import test from "ava";
import { fitName, GCP, LATTICE, shortHash } from "../src/index.js";
import { rng } from "./fixtures.js";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-.-_ABCXYZ/svc-tg-rule-";

function randomString(next: () => number, max: number): string {
  const len = Math.floor(next() * max);
  let s = "";
  for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

const latticeKinds = [
  ["service", LATTICE.serviceName, "svc-"],
  ["listener", LATTICE.listenerName, "listener-"],
  ["rule", LATTICE.ruleName, "rule-"],
  ["target group", LATTICE.targetGroupName, "tg-"],
] as const;

for (const [kind, rules, reserved] of latticeKinds) {
  test(`Lattice ${kind} names are always valid`, (t) => {
    const next = rng(kind.length * 7919);
    for (let i = 0; i < 3000; i++) {
      const parts = [randomString(next, 70), randomString(next, 30)];
      if (i % 10 === 0) parts[0] = `${reserved}${parts[0]}`;
      const { name } = fitName(parts, parts.join("|"), rules);
      t.true(name.length >= rules.min && name.length <= rules.max, `${kind} ${JSON.stringify(parts)} → ${name}`);
      t.regex(name, LATTICE.namePattern, `${JSON.stringify(parts)} → ${name}`);
      t.false(name.startsWith(reserved), name);
    }
  });
}

test("GCP names are always RFC 1035 within 63 chars", (t) => {
  const next = rng(42);
  for (let i = 0; i < 5000; i++) {
    const parts = [randomString(next, 90), randomString(next, 40)];
    const { name } = fitName(parts, parts.join("|"), GCP.name);
    t.regex(name, GCP.namePattern, `${JSON.stringify(parts)} → ${name}`);
  }
});

test("readable names are kept; truncated or lossy ones get a stable hash", (t) => {
  t.deepEqual(fitName(["web", "default"], "x", LATTICE.serviceName), { name: "web-default", hashed: false });
  const long = fitName(["a".repeat(60), "default"], "id1", LATTICE.serviceName);
  t.true(long.hashed);
  t.is(long.name.length, 40);
  t.is(long.name, fitName(["a".repeat(60), "default"], "id1", LATTICE.serviceName).name);
  t.not(long.name, fitName(["a".repeat(60), "default"], "id2", LATTICE.serviceName).name);
  t.true(fitName(["web.v1", "default"], "x", LATTICE.serviceName).hashed);
  t.false(fitName(["svc-web", "default"], "x", LATTICE.serviceName).name.startsWith("svc-"));
});

test("shortHash is stable and spreads", (t) => {
  t.is(shortHash("hello"), shortHash("hello"));
  t.regex(shortHash("hello", 12), /^[0-9a-z]{12}$/);
  const seen = new Set<string>();
  for (let i = 0; i < 20000; i++) seen.add(shortHash(`route-${i}`));
  t.is(seen.size, 20000);
});
