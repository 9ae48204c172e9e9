// ListenerNode + its attachments → IRListener.
import type { ListenerNode } from "@gatehouse/graph";
import type { IRCertificate, IRListener } from "./types.js";
import type { Attachment } from "./attachments.js";
import { buildVirtualHosts } from "./virtual-hosts.js";
import { buildL4Routes } from "./l4.js";
import type { IRMemo } from "./memo.js";

export type IRProtocol = IRListener["protocol"];
const PROTOCOLS: readonly string[] = ["HTTP", "HTTPS", "TLS", "TCP", "UDP"];

export function irProtocol(p: string): IRProtocol | undefined {
  return PROTOCOLS.includes(p) ? (p as IRProtocol) : undefined;
}

/** In certificateRefs order: data planes use the first one when no SAN matches the SNI. */
function certificates(l: ListenerNode): IRCertificate[] {
  return (l.tls?.certificates ?? [])
    .map((c) => ({ source: c.source, certificatePem: c.certificatePem, privateKeyPem: c.privateKeyPem, dnsNames: [...c.dnsNames] }));
}

/** undefined when the listener must not be served (invalid, or a protocol the IR has no shape for). */
export function buildListener(l: ListenerNode, attachments: readonly Attachment[], memo?: IRMemo, scope = ""): IRListener | undefined {
  const protocol = irProtocol(l.protocol);
  if (!l.valid || !protocol) return undefined;
  const http = protocol === "HTTP" || protocol === "HTTPS";
  const out: IRListener = {
    name: l.name,
    source: l.source,
    port: l.port,
    protocol,
    virtualHosts: http ? buildVirtualHosts(attachments.filter((a) => a.route.kind === "HTTPRoute" || a.route.kind === "GRPCRoute"), memo, JSON.stringify([scope, l.name])) : [],
    tls_routes: protocol === "TLS" ? buildL4Routes("TLSRoute", l, attachments) : [],
    tcp: protocol === "TCP" || protocol === "TLS" ? buildL4Routes("TCPRoute", l, attachments) : [],
    udp: protocol === "UDP" ? buildL4Routes("UDPRoute", l, attachments) : [],
  };
  if (l.hostname) out.hostname = l.hostname;
  if (l.tls) out.tls = { mode: l.tls.mode, certificates: certificates(l), options: { ...l.tls.options } };
  return out;
}
