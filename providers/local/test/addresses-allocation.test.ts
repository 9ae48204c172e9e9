// Address allocation: loopback pool outside a cluster, internal ports in one.
import test from "ava";
import fc from "fast-check";
import { allocateInternalPorts, fnv1a, type InternalPortRequest } from "../src/addresses/internal-ports.js";
import { parseCIDR } from "../src/addresses/ipv4.js";
import { AddressAllocator, type AddressAssignment, type AddressRequest } from "../src/addresses/loopback.js";
import { AddressPool, DEFAULT_ADDRESS_POOL } from "../src/addresses/pool.js";

const pool = (...cidrs: string[]) => AddressPool.of(cidrs.length > 0 ? cidrs : [...DEFAULT_ADDRESS_POOL]);
const addr = (a: AddressAssignment | undefined): string | undefined => (a && "addresses" in a ? a.addresses.join(",") : undefined);
const gw = (key: string, ...explicit: string[]): AddressRequest => ({ key, requested: explicit.map((value) => ({ type: "IPAddress", value })) });

test("CIDRs: network and broadcast left out; bad entries named", (t) => {
  t.deepEqual(parseCIDR("127.1.0.0/16"), { first: 0x7f010001, last: 0x7f01fffe, cidr: "127.1.0.0/16" });
  t.deepEqual(parseCIDR("127.0.0.5/32"), { first: 0x7f000005, last: 0x7f000005, cidr: "127.0.0.5/32" });
  t.is(parseCIDR("127.1.0.1/16"), '"127.1.0.1/16" is not a network address (did you mean 127.1.0.0/16?)');
  t.regex(parseCIDR("::1/128") as string, /not an IPv4 CIDR/);
  t.regex(parseCIDR("127.1.0.0/33") as string, /not an IPv4 CIDR/);
  t.deepEqual(AddressPool.parse(["127.1.0.0/24", "x"]), { errors: ['[1]: "x" is not an IPv4 CIDR (expected e.g. "127.1.0.0/16")'] });
  t.throws(() => AddressPool.of([]), { message: /empty/ });
});

test("first free address of the pool in key order; spec.addresses honoured and never handed out", (t) => {
  const a = new AddressAllocator(pool());
  const r = a.allocate([gw("ns/c"), gw("ns/a"), gw("ns/b", "127.1.0.1")]);
  t.deepEqual([...r.keys()], ["ns/a", "ns/b", "ns/c"]);
  t.is(addr(r.get("ns/a")), "127.1.0.2");
  t.is(addr(r.get("ns/b")), "127.1.0.1");
  t.is(addr(r.get("ns/c")), "127.1.0.3");
  t.like(r.get("ns/b"), { fromPool: false });
});

test("addresses stick to their Gateway, across removal and re-adding; plan-time dry runs remember nothing", (t) => {
  const a = new AddressAllocator(pool("127.9.0.0/29")); // .1 – .6
  a.allocate([gw("x/a"), gw("x/b"), gw("x/c")]);
  t.is(addr(a.allocate([gw("x/c")]).get("x/c")), "127.9.0.3");
  // b and a are gone but keep their addresses reserved: a newcomer takes the next free one.
  t.is(addr(a.allocate([gw("x/c"), gw("x/d")]).get("x/d")), "127.9.0.4");
  t.is(addr(a.allocate([gw("x/a"), gw("x/c"), gw("x/d")]).get("x/a")), "127.9.0.1");
  const dry = a.allocate([gw("x/e")], { dryRun: true });
  t.is(addr(dry.get("x/e")), "127.9.0.5");
  t.is(a.stickyAddress("x/e"), undefined);
  // When the pool runs out, addresses of absent Gateways are reused.
  a.allocate([gw("x/e"), gw("x/f")]);
  const full = a.allocate([gw("x/g"), gw("x/h")]);
  t.deepEqual([addr(full.get("x/g")), addr(full.get("x/h"))], ["127.9.0.1", "127.9.0.2"]);
  const none = a.allocate([gw("x/1"), gw("x/2"), gw("x/3"), gw("x/4"), gw("x/5"), gw("x/6"), gw("x/7")]);
  t.deepEqual(none.get("x/7"), { error: "the address pool 127.9.0.0/29 has no free address" });
});

test("an explicit request for a Gateway's pool address moves that Gateway; unbindable types are errors", (t) => {
  const a = new AddressAllocator(pool("127.9.1.0/29"));
  a.allocate([gw("x/a")]);
  const r = a.allocate([gw("x/a"), gw("x/z", "127.9.1.1")]);
  t.is(addr(r.get("x/z")), "127.9.1.1");
  t.is(addr(r.get("x/a")), "127.9.1.2");
  const bad = a.allocate([
    { key: "x/h", requested: [{ type: "Hostname", value: "gw.example.com" }] },
    { key: "x/i", requested: [{ value: "not-an-ip" }] },
    { key: "x/e", requested: [{ type: "IPAddress", value: "" }] },
    { key: "x/v6", requested: [{ value: "::1" }, { value: "127.9.1.6" }] },
  ]);
  t.deepEqual(bad.get("x/h"), { error: "spec.addresses[0]: Hostname addresses cannot be bound by the local proxy (use an IPAddress)" });
  t.deepEqual(bad.get("x/i"), { error: 'spec.addresses[0].value: "not-an-ip" is not an IP address' });
  t.is(addr(bad.get("x/e")), "127.9.1.1", "an empty value means any address");
  t.is(addr(bad.get("x/v6")), "::1,127.9.1.6");
});

test("a Gateway's own pool (its LocalProxyConfig) is used for it", (t) => {
  const a = new AddressAllocator(pool());
  const r = a.allocate([{ ...gw("x/a"), pool: pool("127.77.0.0/24") }, gw("x/b")]);
  t.is(addr(r.get("x/a")), "127.77.0.1");
  t.is(addr(r.get("x/b")), "127.1.0.1");
});

// Properties over sequences of Gateway sets (keys from a small alphabet so sets overlap).
const keyArb = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `ns/g${i}`));
/** Some Gateways ask for an address of their own (`prefix` + 1..14). */
const explicitArb = (prefix: string) => fc.option(fc.integer({ min: 1, max: 14 }).map((n) => `${prefix}${n}`), { nil: undefined, freq: 4 });
const setArb = (prefix: string) => fc.uniqueArray(fc.record({ key: keyArb, explicit: explicitArb(prefix) }), { selector: (g) => g.key, maxLength: 10 });
const toRequests = (s: { key: string; explicit: string | undefined }[]): AddressRequest[] => s.map((g) => (g.explicit ? gw(g.key, g.explicit) : gw(g.key)));

test("property: deterministic for a sequence, collision-free among pool addresses, never an explicit one", (t) => {
  fc.assert(fc.property(fc.array(setArb("127.3.0."), { minLength: 1, maxLength: 6 }), (seq) => {
    const a1 = new AddressAllocator(pool("127.3.0.0/28"));
    const a2 = new AddressAllocator(pool("127.3.0.0/28"));
    for (const s of seq) {
      const r1 = a1.allocate(toRequests(s));
      // Same sequence (input order shuffled): same answer.
      const r2 = a2.allocate(toRequests([...s].reverse()));
      t.deepEqual([...r1], [...r2]);
      const explicit = new Set(s.flatMap((g) => (g.explicit ? [g.explicit] : [])));
      const fromPool = s.filter((g) => !g.explicit).map((g) => addr(r1.get(g.key)));
      for (const x of fromPool) if (x !== undefined) t.false(explicit.has(x));
      const defined = fromPool.filter((x) => x !== undefined);
      t.is(new Set(defined).size, defined.length, "two Gateways got one address");
      // 14 addresses in the pool, at most 10 Gateways: everyone gets one.
      t.is(defined.length, fromPool.length);
    }
  }), { numRuns: 200 });
});

// (Explicit addresses outside the pool here: an explicit request for someone's pool address moves them, tested above.)
test("property: adding a Gateway keeps everyone else's address", (t) => {
  fc.assert(fc.property(setArb("127.200.0."), fc.string({ minLength: 1, maxLength: 6 }), (s, name) => {
    const a = new AddressAllocator(pool());
    const before = a.allocate(toRequests(s));
    const newcomer = `new/${name}`;
    const after = a.allocate([...toRequests(s), gw(newcomer)]);
    for (const [k, v] of before) t.deepEqual(after.get(k), v);
    t.not(addr(after.get(newcomer)), undefined);
  }), { numRuns: 200 });
});

test("internal ports: in the range, hash-preferred, linear probing, same on every replica whatever the order", (t) => {
  const range = { from: 20000, to: 20009 };
  const reqs: InternalPortRequest[] = [{ key: "a/x", ports: [80, 443] }, { key: "b/y", ports: [80] }];
  const r = allocateInternalPorts(reqs, range);
  t.is(r.get("a/x")!.get(80), 20000 + (fnv1a("a/x:80") % 10));
  t.deepEqual(allocateInternalPorts([...reqs].reverse(), range), r);
  const all = [...r.values()].flatMap((m) => [...m.values()]);
  t.is(new Set(all).size, 3);
  // Full range: the rest get an error, not a shared port.
  const many = allocateInternalPorts([{ key: "c/z", ports: Array.from({ length: 12 }, (_, i) => 1000 + i) }], range);
  const values = [...many.get("c/z")!.values()];
  t.is(values.filter((v) => typeof v === "number").length, 10);
  t.deepEqual(values.filter((v) => typeof v === "string"), ["no free internal port in 20000-20009", "no free internal port in 20000-20009"]);
});

const portsArb = fc.uniqueArray(fc.record({ key: keyArb, ports: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 4 }) }), { selector: (g) => g.key, maxLength: 10 });

test("property: internal ports are collision-free, in range, and independent of input order", (t) => {
  fc.assert(fc.property(portsArb, (reqs) => {
    const range = { from: 20000, to: 29999 };
    const r = allocateInternalPorts(reqs, range);
    t.deepEqual(allocateInternalPorts([...reqs].reverse(), range), r);
    const all = [...r.values()].flatMap((m) => [...m.values()]);
    for (const p of all) t.true(typeof p === "number" && p >= 20000 && p <= 29999);
    t.is(new Set(all).size, all.length);
  }), { numRuns: 200 });
});
