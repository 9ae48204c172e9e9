import { COND, REASON, cond, type Capabilities, type NodeCondition } from "@gatehouse/model";
import type { ListenerNode } from "../types.js";
import type { ReferenceGrants } from "../refs.js";
import { parseAllowedNamespaces } from "./allowed-routes.js";
import { resolveCertificateRefs, type CertificateProblem, type SecretStore } from "./certificates.js";
import { isValidHostname } from "../hostnames.js";
import { arr, isObj, show, stringMap } from "../json.js";
import { resolveRouteKinds } from "./route-kinds.js";

const STANDARD_PROTOCOLS = ["HTTP", "HTTPS", "TLS", "TCP", "UDP"];
/** Protocols whose listeners match on hostname; for the others the spec says it is ignored. */
const HOSTNAME_PROTOCOLS = ["HTTP", "HTTPS", "TLS"];

export interface ListenerContext {
  gatewayKey: string;
  gatewayNamespace: string;
  source: string;               // gateway/<ns>/<name>
  caps: Capabilities;
  secrets: SecretStore;
  grants: ReferenceGrants;
}

/** A listener between per-listener validation and the Gateway-wide conflict check. */
export interface ListenerDraft {
  index: number;
  path: string;                 // spec.listeners[i]
  node: ListenerNode;
  /** Accepted=False causes found on the listener alone; first one gives the reason. */
  notAccepted: CertificateProblem[];
  /** ResolvedRefs=False causes (certificate refs, then route kinds). */
  unresolved: CertificateProblem[];
  conflict?: CertificateProblem;
  /** Other HTTPS listeners on the port whose hostnames overlap this one's (OverlappingTLSConfig). */
  overlapsWith?: string[];
}

/** Validates one listener against the spec and the class capabilities (conflicts come later). */
export function draftListener(raw: Record<string, unknown>, index: number, name: string, ctx: ListenerContext): ListenerDraft {
  const path = `spec.listeners[${index}]`;
  const notAccepted: CertificateProblem[] = [];
  const unresolved: CertificateProblem[] = [];
  const { caps } = ctx;
  const limits = isObj(caps.limits) ? caps.limits : {};

  // Protocol.
  const protocol = typeof raw.protocol === "string" ? raw.protocol : "";
  const classProtocols: string[] = Array.isArray(caps.protocols) ? caps.protocols : [];
  const protocolOk = STANDARD_PROTOCOLS.includes(protocol) && classProtocols.includes(protocol);
  if (!protocolOk) {
    notAccepted.push({
      reason: REASON.UnsupportedProtocol,
      message: `${path}.protocol: ${show(raw.protocol)} is not supported by this GatewayClass (supported: ${classProtocols.join(", ") || "none"})`,
    });
  }

  // Port.
  const port = typeof raw.port === "number" && Number.isInteger(raw.port) ? raw.port : 0;
  if (port < 1 || port > 65535) {
    notAccepted.push({ reason: REASON.PortUnavailable, message: `${path}.port: ${show(raw.port)} is not a port number (1-65535)` });
  } else if (Array.isArray(limits.ports) && !limits.ports.includes(port)) {
    notAccepted.push({
      reason: REASON.PortUnavailable,
      message: `${path}.port: ${port} is not available on this GatewayClass (allowed: ${[...limits.ports].sort((a, b) => a - b).join(", ")})`,
    });
  }

  // Listener count.
  const max = limits.listenersPerGateway;
  if (typeof max === "number" && index >= max) {
    notAccepted.push({ reason: REASON.UnsupportedValue, message: `${path}: this GatewayClass supports at most ${max} listeners per Gateway` });
  }

  // Hostname (ignored for TCP/UDP, as the spec says).
  let hostname: string | undefined;
  if (HOSTNAME_PROTOCOLS.includes(protocol) && raw.hostname !== undefined && raw.hostname !== null && raw.hostname !== "") {
    if (typeof raw.hostname === "string" && isValidHostname(raw.hostname)) hostname = raw.hostname;
    else notAccepted.push({ reason: REASON.UnsupportedValue, message: `${path}.hostname: ${show(raw.hostname)} is not a valid hostname` });
  }

  // TLS.
  let tls: ListenerNode["tls"];
  let certificateRefKeys: string[] = [];
  const hasTls = raw.tls !== undefined && raw.tls !== null;
  if (protocol === "HTTPS" || protocol === "TLS") {
    if (!isObj(raw.tls)) {
      notAccepted.push({ reason: REASON.UnsupportedValue, message: `${path}.tls: required when protocol is ${protocol}` });
    } else {
      const mode = raw.tls.mode ?? "Terminate";
      const modes: string[] = Array.isArray(caps.tlsModes) ? caps.tlsModes : [];
      if (mode !== "Terminate" && mode !== "Passthrough") {
        notAccepted.push({ reason: REASON.UnsupportedValue, message: `${path}.tls.mode: ${show(mode)} is not one of Terminate, Passthrough` });
      } else if (protocol === "HTTPS" && mode !== "Terminate") {
        notAccepted.push({ reason: REASON.UnsupportedValue, message: `${path}.tls.mode: must be Terminate when protocol is HTTPS` });
      } else if (protocol === "TLS" && !modes.includes(mode)) {
        notAccepted.push({
          reason: REASON.UnsupportedValue,
          message: `${path}.tls.mode: ${mode} is not supported by this GatewayClass (supported: ${modes.join(", ") || "none"})`,
        });
      } else if (mode === "Passthrough") {
        // certificateRefs are ignored in Passthrough mode (spec).
        tls = { mode, certificates: [], options: stringMap(raw.tls.options) };
      } else {
        const refs = arr(raw.tls.certificateRefs);
        const resolved = resolveCertificateRefs(refs, `${path}.tls.certificateRefs`, ctx.gatewayNamespace, ctx.secrets, ctx.grants);
        certificateRefKeys = resolved.keys;
        const options = stringMap(raw.tls.options);
        // The CRD allows Terminate with options alone: a class may take its certificate from
        // an option (e.g. an ACM certificate ARN) instead of a Secret.
        const certOptions = (caps.certificateOptions ?? []).filter((k) => options[k]);
        if (refs.length === 0 && certOptions.length === 0) {
          const alt = caps.certificateOptions?.length ? ` (or tls.options ${caps.certificateOptions.join(", ")})` : "";
          unresolved.push({
            reason: REASON.InvalidCertificateRef,
            message: `${path}.tls.certificateRefs: at least one certificate${alt} is required when mode is Terminate`,
          });
        }
        unresolved.push(...resolved.problems);
        tls = { mode, certificates: resolved.certificates, options };
      }
    }
  } else if (hasTls && protocolOk) {
    notAccepted.push({ reason: REASON.UnsupportedValue, message: `${path}.tls: must not be set when protocol is ${protocol}` });
  }

  // Allowed routes.
  const allowedRoutes = isObj(raw.allowedRoutes) ? raw.allowedRoutes : {};
  const ns = parseAllowedNamespaces(allowedRoutes.namespaces, `${path}.allowedRoutes.namespaces`);
  for (const message of ns.errors) notAccepted.push({ reason: REASON.UnsupportedValue, message });
  let supportedKinds: ListenerNode["supportedKinds"] = [];
  if (protocolOk) {
    const kinds = resolveRouteKinds(protocol, allowedRoutes.kinds, caps, `${path}.allowedRoutes.kinds`);
    supportedKinds = kinds.supportedKinds;
    for (const message of kinds.invalid) unresolved.push({ reason: REASON.InvalidRouteKinds, message });
    if (kinds.invalid.length === 0 && supportedKinds.length === 0) {
      unresolved.push({ reason: REASON.InvalidRouteKinds, message: `${path}: this GatewayClass supports no route kind for protocol ${protocol}` });
    }
  }

  const node: ListenerNode = {
    gatewayKey: ctx.gatewayKey,
    name,
    source: `${ctx.source}/listener/${name}`,
    port,
    protocol,
    valid: false,
    conditions: [],
    supportedKinds,
    allowedNamespaces: ns.value,
    certificateRefKeys,
    attachedRoutes: 0,
  };
  if (hostname !== undefined) node.hostname = hostname;
  if (tls) node.tls = tls;
  return { index, path, node, notAccepted, unresolved };
}

/** Sets the listener's Accepted, ResolvedRefs and Conflicted conditions and its validity. */
export function finishListener(d: ListenerDraft): ListenerNode {
  const conditions: NodeCondition[] = [];
  const first = d.notAccepted[0] ?? d.conflict;
  conditions.push(first
    ? cond(COND.Accepted, false, first.reason, joinMessages(d.notAccepted.length ? d.notAccepted : [d.conflict!]))
    : cond(COND.Accepted, true, REASON.Accepted, "Listener is accepted"));
  const unresolved = d.unresolved[0];
  conditions.push(unresolved
    ? cond(COND.ResolvedRefs, false, unresolved.reason, joinMessages(d.unresolved))
    : cond(COND.ResolvedRefs, true, REASON.ResolvedRefs, "All references are resolved"));
  conditions.push(d.conflict
    ? cond(COND.Conflicted, true, d.conflict.reason, d.conflict.message)
    : cond(COND.Conflicted, false, REASON.NoConflicts, "No conflicts"));
  // Negative polarity: only ever written as True (spec), and it does not invalidate the listener.
  if (d.overlapsWith?.length) {
    conditions.push(cond(COND.OverlappingTLSConfig, true, REASON.OverlappingHostnames,
      `${d.path}: hostname overlaps HTTPS listeners ${d.overlapsWith.join(", ")} on port ${d.node.port}; clients may reuse one HTTP/2 connection across them`));
  }
  // Invalid route kinds alone leave the listener usable for its valid kinds (spec).
  const refsOk = d.unresolved.every((p) => p.reason === REASON.InvalidRouteKinds) && d.node.supportedKinds.length > 0;
  d.node.conditions = conditions;
  d.node.valid = !first && refsOk;
  return d.node;
}

function joinMessages(ps: CertificateProblem[]): string {
  return ps.map((p) => p.message).join("; ");
}
