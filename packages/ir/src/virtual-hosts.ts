// Virtual hosts of one HTTP/HTTPS listener.
import { compareHostnames, compareMatches } from "@gatehouse/graph";
import type { IRVirtualHost } from "./types.js";
import type { Attachment } from "./attachments.js";
import { routeEntries, type RankedEntry } from "./http-routes.js";
import { cmp } from "./util.js";
import type { IRMemo } from "./memo.js";
import type { RouteNode } from "@gatehouse/graph";

/** Does `pattern` (exact, `*.suffix` or `*`) cover every name `host` can stand for? */
export function hostCovers(pattern: string, host: string): boolean {
  if (pattern === "*") return true;
  if (!pattern.startsWith("*.")) return pattern === host;
  const suffix = pattern.slice(1); // ".example.com"
  if (host === "*") return false;
  // A wildcard label matches one or more labels: `*.example.com` covers `a.b.example.com` and `*.b.example.com`.
  return host.endsWith(suffix) && host.length > suffix.length && host !== pattern;
}

/**
 * Builds virtual hosts keyed by hostname, most specific first. Each host's own routes come
 * first in precedence order; then the routes of every less specific host that also covers
 * it (marked `fromHostname`), so a request falls through to them when no more specific
 * route matches — the spec gives precedence to the most specific hostname, it does not
 * hide the others.
 */
export function buildVirtualHosts(attachments: readonly Attachment[], memo?: IRMemo, scope = ""): IRVirtualHost[] {
  const own = new Map<string, { routes: RouteNode[]; entries: RankedEntry[][] }>();
  for (const a of attachments) {
    const entries = memo ? memoEntries(memo, a.route) : routeEntries(a.route);
    if (entries.length === 0) continue;
    for (const h of a.hostnames) {
      let list = own.get(h);
      if (!list) own.set(h, (list = { routes: [], entries: [] }));
      list.routes.push(a.route);
      list.entries.push(entries);
    }
  }
  const hosts = [...own.keys()].sort(compareHostnames);
  const sorted = new Map<string, RankedEntry[]>();
  for (const h of hosts) {
    const { routes, entries } = own.get(h)!;
    const sort = () => entries.flat().sort((a, b) => compareMatches(a.rank, b.rank) || cmp(a.entry.source, b.entry.source));
    sorted.set(h, memo ? memo.hostList(JSON.stringify([scope, h]), routes, sort) : sort());
  }
  // Only `*` and `*.suffix` hosts can cover another host.
  const wildcards = hosts.filter((h) => h === "*" || h.startsWith("*."));
  return hosts.map((hostname) => {
    const covering = wildcards.filter((other) => other !== hostname && hostCovers(other, hostname));
    const build = (): IRVirtualHost => {
      const routes = sorted.get(hostname)!.map((e) => e.entry);
      const seen = new Set(routes.map((r) => r.source));
      // `hosts` is most specific first, so inherited groups arrive in hostname precedence.
      for (const other of covering) {
        for (const e of sorted.get(other)!) {
          if (seen.has(e.entry.source)) continue;
          seen.add(e.entry.source);
          routes.push({ ...e.entry, fromHostname: other });
        }
      }
      return { hostname, routes };
    };
    if (!memo) return build();
    return memo.vhost(JSON.stringify([scope, hostname]), sorted.get(hostname)!, covering.map((o) => sorted.get(o)!), build);
  });
}

function memoEntries(memo: IRMemo, route: RouteNode): RankedEntry[] {
  let e = memo.entries.get(route);
  if (!e) memo.entries.set(route, (e = routeEntries(route)));
  return e;
}
