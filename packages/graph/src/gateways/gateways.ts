import {
  COND, FEATURE, REASON, cond, generationOf, keyOf, nameOf, namespaceOf, sourceOf,
  type Gateway, type NodeCondition, type Snapshot,
} from "@gatehouse/model";
import type { GatewayClassNode, GatewayNode } from "../types.js";
import type { ReferenceGrants } from "../refs.js";
import { checkAddresses } from "./addresses.js";
import { SecretStore } from "./certificates.js";
import { markConflicts, markOverlappingTLS } from "./conflicts.js";
import { arr, cmp, isObj, rec, show, stringMap } from "../json.js";
import { draftListener, finishListener, type ListenerDraft } from "./listeners.js";

export interface BuildGatewaysInput {
  snapshot: Snapshot;
  gatewayClasses: readonly GatewayClassNode[];
  grants: ReferenceGrants;
}

/**
 * A node for every Gateway whose class is one of ours (accepted or not), with listeners
 * validated and the Gateway's Accepted condition. Sorted by key.
 */
export function buildGateways(input: BuildGatewaysInput): GatewayNode[] {
  const classes = new Map(input.gatewayClasses.map((c) => [c.name, c]));
  const secrets = new SecretStore(Array.isArray(input.snapshot.Secret) ? input.snapshot.Secret : []);
  const out: GatewayNode[] = [];
  for (const gw of Array.isArray(input.snapshot.Gateway) ? input.snapshot.Gateway : []) {
    if (!isObj(gw) || !nameOf(gw)) continue;
    const spec = rec(gw.spec);
    const cls = typeof spec.gatewayClassName === "string" ? classes.get(spec.gatewayClassName) : undefined;
    if (!cls) continue;
    out.push(buildGateway(gw, spec, cls, secrets, input.grants));
  }
  return out.sort((a, b) => cmp(a.key, b.key));
}

function buildGateway(
  gw: Gateway, spec: Record<string, unknown>, cls: GatewayClassNode, secrets: SecretStore, grants: ReferenceGrants,
): GatewayNode {
  const namespace = namespaceOf(gw);
  const key = keyOf(gw);
  const source = sourceOf("Gateway", gw);
  const caps = cls.capabilities;
  const features = Array.isArray(caps.features) ? caps.features : [];

  // Listener names key the status list, so a listener without a usable name cannot be
  // reported on its own; it is named in the Gateway's condition instead.
  const unnamed: string[] = [];
  const drafts: ListenerDraft[] = [];
  const seen = new Map<string, number>();
  if (!Array.isArray(spec.listeners)) unnamed.push(`spec.listeners: must be a list with at least one listener`);
  arr(spec.listeners).forEach((raw, i) => {
    const path = `spec.listeners[${i}]`;
    if (!isObj(raw) || typeof raw.name !== "string" || raw.name === "") {
      return void unnamed.push(`${path}.name: required`);
    }
    const first = seen.get(raw.name);
    if (first !== undefined) return void unnamed.push(`${path}.name: ${show(raw.name)} is already used by spec.listeners[${first}]`);
    seen.set(raw.name, i);
    drafts.push(draftListener(raw, i, raw.name, { gatewayKey: key, gatewayNamespace: namespace, source, caps, secrets, grants }));
  });
  markConflicts(drafts, features);
  markOverlappingTLS(drafts);
  const listeners = drafts.map(finishListener);

  const { addresses, errors: addressErrors } = checkAddresses(spec.addresses, features);
  const accepted = gatewayAccepted(cls, spec, listeners, unnamed, addressErrors);
  const isAccepted = accepted.status === "True";
  // Nothing attaches to, or is served on, a Gateway that is not accepted.
  if (!isAccepted) for (const l of listeners) l.valid = false;

  const node: GatewayNode = {
    key,
    namespace,
    name: nameOf(gw),
    source,
    object: gw,
    generation: generationOf(gw),
    className: cls.name,
    controllerName: caps.controllerName,
    accepted: isAccepted,
    conditions: [accepted],
    listeners,
    addresses,
  };
  if (cls.parameters) node.parameters = cls.parameters;
  if (isObj(spec.infrastructure)) {
    node.infrastructure = {
      labels: stringMap(spec.infrastructure.labels),
      annotations: stringMap(spec.infrastructure.annotations),
    };
  }
  return node;
}

function gatewayAccepted(
  cls: GatewayClassNode, spec: Record<string, unknown>, listeners: GatewayNode["listeners"], unnamed: string[], addressErrors: string[],
): NodeCondition {
  if (!cls.accepted) {
    const why = cls.conditions.find((c) => c.type === COND.Accepted)?.message ?? "";
    return cond(COND.Accepted, false, REASON.Invalid, `GatewayClass ${cls.name} is not accepted: ${why}`);
  }
  if (isObj(spec.infrastructure) && spec.infrastructure.parametersRef !== undefined && spec.infrastructure.parametersRef !== null) {
    return cond(COND.Accepted, false, REASON.InvalidParameters,
      `spec.infrastructure.parametersRef: ${cls.capabilities.controllerName} takes no parameters; remove parametersRef`);
  }
  if (addressErrors.length > 0) return cond(COND.Accepted, false, REASON.UnsupportedAddress, addressErrors.join("; "));
  const tlsError = unsupportedGatewayTLS(spec.tls, cls.capabilities.features, cls.capabilities.controllerName);
  if (tlsError) return cond(COND.Accepted, false, REASON.Invalid, tlsError);

  const invalid = listeners.filter((l) => !l.valid);
  const valid = listeners.filter((l) => l.valid);
  if (invalid.length === 0 && unnamed.length === 0) return cond(COND.Accepted, true, REASON.Accepted, "Gateway is accepted");
  const problems = [
    ...unnamed,
    ...invalid.map((l) => `${l.name}: ${listenerProblem(l)}`),
  ];
  if (valid.length === 0) {
    return cond(COND.Accepted, false, REASON.ListenersNotValid, `No valid listeners. ${problems.join("; ")}`);
  }
  return cond(COND.Accepted, true, REASON.ListenersNotValid,
    `Valid listeners: ${valid.map((l) => l.name).join(", ")}. Invalid listeners: ${problems.join("; ")}`);
}

/**
 * spec.tls (client certificate validation, the Gateway's client certificate to backends)
 * changes who may connect and how: serving the Gateway without it would be less secure
 * than asked, so a class without the feature rejects the Gateway instead of ignoring it.
 */
function unsupportedGatewayTLS(tls: unknown, features: readonly string[], controller: string): string | undefined {
  if (tls === undefined || tls === null) return undefined;
  if (!isObj(tls)) return `spec.tls: must be an object, got ${show(tls)}`;
  const problems: string[] = [];
  if (tls.frontend !== undefined && !features.includes(FEATURE.GatewayFrontendClientCertificateValidation)) {
    problems.push(`spec.tls.frontend: client certificate validation is not supported by ${controller}`);
  }
  if (tls.backend !== undefined && !features.includes(FEATURE.GatewayBackendClientCertificate)) {
    problems.push(`spec.tls.backend: a client certificate towards backends is not supported by ${controller}`);
  }
  return problems.length ? problems.join("; ") : undefined;
}

/** The first failing listener condition, as `Type/Reason`. */
function listenerProblem(l: GatewayNode["listeners"][number]): string {
  const bad = l.conditions.find((c) => (c.type === COND.Conflicted ? c.status === "True" : c.status === "False"));
  return bad ? `${bad.type}=${bad.status} (${bad.reason})` : "not valid";
}
