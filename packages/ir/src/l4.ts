// TLSRoutes (by SNI), TCPRoutes and UDPRoutes of one listener.
import { compareHostnames } from "@gatehouse/graph";
import type { ListenerNode } from "@gatehouse/graph";
import type { IRL4Route } from "./types.js";
import type { Attachment } from "./attachments.js";
import { buildBackends } from "./backends.js";
import { cmp } from "./util.js";

type L4Kind = IRL4Route["kind"];

function mostSpecific(hostnames: readonly string[]): string {
  return hostnames.length === 0 ? "*" : [...hostnames].sort(compareHostnames)[0]!;
}

/**
 * One IRL4Route per valid rule of each attached route of `kind`. Order: most specific SNI
 * hostname first (TLS), then oldest route, then `ns/name`, then rule order. TCP/UDP: the
 * oldest route's rules only.
 */
export function buildL4Routes(kind: L4Kind, listener: ListenerNode, attachments: readonly Attachment[]): IRL4Route[] {
  const ranked: { r: IRL4Route; host: string; created: string; key: string; rule: number }[] = [];
  for (const a of attachments) {
    if (a.route.kind !== kind) continue;
    // The attachment's hostnames are already effective; a TLS listener without hostname and a
    // route without hostnames gives ["*"], which the IR spells [] (any SNI).
    const hostnames = kind === "TLSRoute" ? a.hostnames.filter((h) => h !== "*") : [];
    for (const rule of a.route.rules ?? []) {
      if (rule.invalid) continue;
      ranked.push({
        r: { source: rule.source, route: a.route.source, kind, hostnames, backends: buildBackends(rule.backends) },
        host: mostSpecific(hostnames),
        created: a.route.creationTimestamp ?? "",
        key: a.route.key,
        rule: rule.index,
      });
    }
  }
  void listener;
  ranked.sort((x, y) =>
    compareHostnames(x.host, y.host) || cmp(x.created, y.created) || cmp(x.key, y.key) || x.rule - y.rule);
  // TCP/UDP: several routes may be attached, but nothing in a connection or datagram tells
  // them apart; only the oldest route's rules are served.
  if (kind !== "TLSRoute" && ranked.length > 0) return ranked.filter((x) => x.key === ranked[0]!.key).map((x) => x.r);
  return ranked.map((x) => x.r);
}
