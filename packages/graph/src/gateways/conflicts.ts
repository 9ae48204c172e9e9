import { REASON } from "@gatehouse/model";
import type { ListenerDraft } from "./listeners.js";
import { hostnamesOverlap } from "../hostnames.js";

/**
 * Marks listeners that are not distinct (spec: GatewaySpec.listeners "Distinct Listeners").
 * Only listeners that passed their own validation take part: an unaccepted listener never
 * reaches the data plane, so it cannot collide with anything. Per port:
 *  - UDP is its own transport: UDP may share a port number with the TCP-based protocols,
 *    but two UDP listeners on one port cannot be told apart (ProtocolConflict).
 *  - TCP next to any other TCP-based protocol on the port, or two TCP listeners: all of
 *    them ProtocolConflict (the spec's "very important rule").
 *  - HTTP next to HTTPS or TLS: ProtocolConflict (plaintext vs TLS on one socket).
 *  - TLS listeners with both Terminate and Passthrough on one port without the
 *    TLSRouteModeMixed feature: the TLS ones ProtocolConflict (conformance test
 *    TLSRouteListenerMixedTerminationNotSupported).
 *  - Then HostnameConflict among the rest with the same hostname: HTTP by Host; HTTPS and
 *    TLS share SNI, so an HTTPS and a TLS listener with one hostname collide too.
 * Conflicted listeners are all rejected; none is picked as a winner (spec).
 */
export function markConflicts(drafts: readonly ListenerDraft[], features: readonly string[]): void {
  const candidates = drafts.filter((d) => d.notAccepted.length === 0);
  const byPort = new Map<number, ListenerDraft[]>();
  for (const d of candidates) {
    const list = byPort.get(d.node.port);
    if (list) list.push(d); else byPort.set(d.node.port, [d]);
  }
  const mixedOk = features.includes("TLSRouteModeMixed");

  for (const [port, onPort] of byPort) {
    const udp = onPort.filter((d) => d.node.protocol === "UDP");
    if (udp.length > 1) setAll(udp, REASON.ProtocolConflict, `${names(udp)}: more than one UDP listener on port ${port}`);
    const stream = onPort.filter((d) => d.node.protocol !== "UDP");
    const protocols = new Set(stream.map((d) => d.node.protocol));
    if (protocols.has("TCP") && stream.length > 1) {
      setAll(stream, REASON.ProtocolConflict,
        protocols.size > 1
          ? `${names(stream)}: a TCP listener cannot share port ${port} with ${[...protocols].filter((p) => p !== "TCP").sort().join(", ")} listeners`
          : `${names(stream)}: more than one TCP listener on port ${port}`);
      continue;
    }
    if (protocols.has("HTTP") && (protocols.has("HTTPS") || protocols.has("TLS"))) {
      setAll(stream, REASON.ProtocolConflict, `${names(stream)}: port ${port} mixes ${[...protocols].sort().join(", ")}`);
      continue;
    }
    const tls = stream.filter((d) => d.node.protocol === "TLS");
    const tlsModes = new Set(tls.map((d) => d.node.tls?.mode));
    if (!mixedOk && tlsModes.size > 1) {
      setAll(tls, REASON.ProtocolConflict,
        `${names(tls)}: TLS listeners on port ${port} mix Terminate and Passthrough, which this GatewayClass does not support (TLSRouteModeMixed)`);
    }
    const byHost = new Map<string, ListenerDraft[]>();
    for (const d of stream) {
      if (d.conflict) continue;
      const family = d.node.protocol === "HTTP" ? "http" : "sni";
      const k = `${family}|${d.node.hostname ?? ""}`;
      const list = byHost.get(k);
      if (list) list.push(d); else byHost.set(k, [d]);
    }
    for (const same of byHost.values()) {
      if (same.length < 2) continue;
      const host = same[0]!.node.hostname;
      setAll(same, REASON.HostnameConflict,
        `${names(same)}: same port ${port} and ${host ? `hostname ${host}` : "no hostname"}`);
    }
  }
}

/**
 * HTTPS listeners on one port whose hostnames overlap (`*.example.com` and
 * `foo.example.com`, or one without a hostname) get OverlappingTLSConfig: a client may
 * coalesce HTTP/2 connections across them, so a request can reach the other listener's
 * certificate context (spec: ListenerConditionOverlappingTLSConfig, "MUST detect").
 */
export function markOverlappingTLS(drafts: readonly ListenerDraft[]): void {
  const https = drafts.filter((d) => d.node.protocol === "HTTPS" && d.notAccepted.length === 0 && !d.conflict);
  for (const a of https) {
    const others = https.filter((b) => b !== a && b.node.port === a.node.port &&
      hostnamesOverlap(a.node.hostname ?? "*", b.node.hostname ?? "*"));
    if (others.length) a.overlapsWith = others.map((b) => b.node.name);
  }
}

function setAll(ds: readonly ListenerDraft[], reason: string, message: string): void {
  for (const d of ds) if (!d.conflict) d.conflict = { reason, message: `${d.path}: conflicts with listeners ${message}` };
}

function names(ds: readonly ListenerDraft[]): string {
  return ds.map((d) => d.node.name).join(", ");
}
