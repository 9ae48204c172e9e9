// The fake's records. Views (the JSON the API returns) are built from these in views.ts.
import type { Json } from "./validate.js";

export interface Base {
  id: string;
  arn: string;
  /** Creation order: list order and pagination key. */
  seq: number;
  createdAt: number;
  lastUpdatedAt: number;
}

/** A record with an async status: at `until` the status becomes `next` ("GONE" = deleted). */
export interface Timed {
  status: string;
  until?: number;
  next?: string;
}

export interface ServiceNetworkRec extends Base {
  name: string;
  authType: string;
  sharingConfig?: Json;
}

export interface DnsEntry {
  domainName: string;
  hostedZoneId: string;
}

export interface ServiceRec extends Base, Timed {
  name: string;
  customDomainName?: string;
  certificateArn?: string;
  authType: string;
  dnsEntry: DnsEntry;
}

export interface VpcAssociationRec extends Base, Timed {
  snId: string;
  vpcId: string;
  securityGroupIds: string[];
  privateDnsEnabled?: boolean;
  dnsOptions?: Json;
}

export interface ServiceAssociationRec extends Base, Timed {
  snId: string;
  svcId: string;
}

export interface ListenerRec extends Base {
  svcId: string;
  name: string;
  protocol: string;
  port: number;
  defaultAction: Json;
  /** The listener's default rule (rendered from the listener, never stored as a RuleRec). */
  defaultRuleId: string;
}

export interface RuleRec extends Base {
  svcId: string;
  listenerId: string;
  name: string;
  priority: number;
  match: Json;
  action: Json;
}

export interface TargetGroupRec extends Base, Timed {
  name: string;
  type: string;
  config: Json;
}

export type TargetStatus = "DRAINING" | "UNAVAILABLE" | "HEALTHY" | "UNHEALTHY" | "INITIAL" | "UNUSED";

export interface TargetRec {
  id: string;
  /** Registration order (list order and pagination key). */
  seq: number;
  port?: number;
  registeredAt: number;
  /** Set by DeregisterTargets: DRAINING until then, gone after. */
  drainUntil?: number;
  /** Set by tests (state.setTargetHealth) to override the computed health. */
  forced?: TargetStatus;
}

export interface AuthPolicyRec {
  policy: string;
  createdAt: number;
  lastUpdatedAt: number;
}
