// Condition types and reasons, spelled exactly as the Gateway API spec spells them.
export const COND = {
  Accepted: "Accepted",
  Programmed: "Programmed",
  ResolvedRefs: "ResolvedRefs",
  Conflicted: "Conflicted",
  SupportedVersion: "SupportedVersion",
  PartiallyInvalid: "PartiallyInvalid",
  OverlappingTLSConfig: "OverlappingTLSConfig",
} as const;

export const REASON = {
  // shared
  Accepted: "Accepted",
  Programmed: "Programmed",
  ResolvedRefs: "ResolvedRefs",
  Invalid: "Invalid",
  Pending: "Pending",
  NoConflicts: "NoConflicts",
  UnsupportedValue: "UnsupportedValue",
  // GatewayClass
  InvalidParameters: "InvalidParameters",
  SupportedVersion: "SupportedVersion",
  UnsupportedVersion: "UnsupportedVersion",
  // Gateway
  ListenersNotValid: "ListenersNotValid",
  NoResources: "NoResources",
  AddressNotAssigned: "AddressNotAssigned",
  AddressNotUsable: "AddressNotUsable",
  UnsupportedAddress: "UnsupportedAddress",
  // Listener
  PortUnavailable: "PortUnavailable",
  UnsupportedProtocol: "UnsupportedProtocol",
  HostnameConflict: "HostnameConflict",
  ProtocolConflict: "ProtocolConflict",
  InvalidCertificateRef: "InvalidCertificateRef",
  InvalidRouteKinds: "InvalidRouteKinds",
  RefNotPermitted: "RefNotPermitted",
  OverlappingHostnames: "OverlappingHostnames",
  // Route
  NotAllowedByListeners: "NotAllowedByListeners",
  NoMatchingListenerHostname: "NoMatchingListenerHostname",
  NoMatchingParent: "NoMatchingParent",
  UnsupportedKind: "UnsupportedKind",
  BackendNotFound: "BackendNotFound",
  InvalidKind: "InvalidKind",
  IncompatibleFilters: "IncompatibleFilters",
  // Policy
  Conflicted: "Conflicted",
  TargetNotFound: "TargetNotFound",
  NoValidCACertificate: "NoValidCACertificate",
  InvalidCACertificateRef: "InvalidCACertificateRef",
  InvalidCACertificateKind: "InvalidCACertificateKind",
} as const;

export type ConditionStatus = "True" | "False" | "Unknown";

/** A condition as the graph computes it: no timestamps (status adds them). */
export interface NodeCondition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export function cond(type: string, status: ConditionStatus | boolean, reason: string, message: string): NodeCondition {
  const s: ConditionStatus = status === true ? "True" : status === false ? "False" : status;
  return { type, status: s, reason, message };
}

/** Sets (replaces by type) a condition in a list, keeping list order stable. */
export function setCondition(list: NodeCondition[], c: NodeCondition): void {
  const i = list.findIndex((x) => x.type === c.type);
  if (i >= 0) list[i] = c; else list.push(c);
}
