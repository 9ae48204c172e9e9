// Knobs of the fake: account and region, quotas, async delays, clock, strictness.

/** Default quotas (the "Quotas for Amazon VPC Lattice" page; all adjustable there and here). */
export interface Limits {
  serviceNetworksPerRegion: number;
  servicesPerRegion: number;
  targetGroupsPerRegion: number;
  listenersPerService: number;
  /** Non-default rules per listener. */
  rulesPerListener: number;
  serviceAssociationsPerServiceNetwork: number;
  vpcAssociationsPerServiceNetwork: number;
  targetsPerTargetGroup: number;
  /** RulePriority range in the API model: 1–2000. */
  maxRulePriority: number;
}

export const DEFAULT_LIMITS: Limits = {
  serviceNetworksPerRegion: 50,
  servicesPerRegion: 500,
  targetGroupsPerRegion: 500,
  listenersPerService: 2,
  rulesPerListener: 10,
  serviceAssociationsPerServiceNetwork: 500,
  vpcAssociationsPerServiceNetwork: 500,
  targetsPerTargetGroup: 1000,
  maxRulePriority: 2000,
};

/**
 * quotaCode members of ServiceQuotaExceededException. Only the listeners-per-service code is
 * known from the quotas page; the others are placeholders that say which quota they stand for.
 */
export const QUOTA_CODES: Record<keyof Limits, string> = {
  serviceNetworksPerRegion: "fake-service-networks-per-region",
  servicesPerRegion: "fake-services-per-region",
  targetGroupsPerRegion: "fake-target-groups-per-region",
  listenersPerService: "L-D64E952E",
  rulesPerListener: "fake-rules-per-listener",
  serviceAssociationsPerServiceNetwork: "fake-service-associations-per-service-network",
  vpcAssociationsPerServiceNetwork: "fake-vpc-associations-per-service-network",
  targetsPerTargetGroup: "fake-targets-per-target-group",
  maxRulePriority: "-",
};

/** How long (ms of the fake's clock) each transient state lasts. 0 = the final state at once. */
export interface Delays {
  serviceCreate: number;
  serviceDelete: number;
  targetGroupCreate: number;
  targetGroupDelete: number;
  vpcAssociationCreate: number;
  vpcAssociationDelete: number;
  serviceAssociationCreate: number;
  serviceAssociationDelete: number;
  /** INITIAL → HEALTHY for targets of a target group in use with health checks on. */
  targetHealthCheck: number;
  /** DRAINING after DeregisterTargets, then the target is gone (Lattice's default is 5 minutes). */
  targetDrain: number;
}

export const DEFAULT_DELAYS: Delays = {
  serviceCreate: 1000,
  serviceDelete: 1000,
  targetGroupCreate: 500,
  targetGroupDelete: 500,
  vpcAssociationCreate: 2000,
  vpcAssociationDelete: 2000,
  serviceAssociationCreate: 1000,
  serviceAssociationDelete: 1000,
  targetHealthCheck: 1000,
  targetDrain: 300_000,
};

export const ZERO_DELAYS: Delays = {
  serviceCreate: 0,
  serviceDelete: 0,
  targetGroupCreate: 0,
  targetGroupDelete: 0,
  vpcAssociationCreate: 0,
  vpcAssociationDelete: 0,
  serviceAssociationCreate: 0,
  serviceAssociationDelete: 0,
  targetHealthCheck: 0,
  targetDrain: 0,
};

export interface FakeLatticeOptions {
  /** Loopback address to bind (default 127.0.0.1; any 127.x.y.z works). */
  host?: string;
  /** Port (default 0: an ephemeral port). */
  port?: number;
  region?: string;
  accountId?: string;
  limits?: Partial<Limits>;
  delays?: Partial<Delays>;
  /**
   * "real" (default): the fake's time is the wall clock plus whatever advance() added.
   * "manual": time moves only through advance() (and autoAdvanceMs).
   */
  clock?: "real" | "manual";
  /** Manual clock only: every request first moves the clock this many ms. */
  autoAdvanceMs?: number;
  /** Start of the manual clock (ms since epoch; default 2025-01-01T00:00:00Z). */
  startTime?: number;
  /**
   * Using a resource that is not ACTIVE (a listener on a service still CREATE_IN_PROGRESS,
   * a forward to a target group being created or deleted, targets on such a group) is a
   * ConflictException. Default true.
   */
  requireActive?: boolean;
  /** Seed for ids (same seed, same sequence of calls → same ids). Default: random. */
  seed?: string;
  /** Default page size of List* calls without maxResults. */
  defaultPageSize?: number;
  /** Require an Authorization header (the SDK always signs). Default true. */
  requireAuth?: boolean;
}

export interface ResolvedOptions {
  region: string;
  accountId: string;
  limits: Limits;
  delays: Delays;
  requireActive: boolean;
  defaultPageSize: number;
  requireAuth: boolean;
}

export function resolveOptions(o: FakeLatticeOptions): ResolvedOptions {
  return {
    region: o.region ?? "us-west-2",
    accountId: o.accountId ?? "123456789012",
    limits: { ...DEFAULT_LIMITS, ...o.limits },
    delays: { ...DEFAULT_DELAYS, ...o.delays },
    requireActive: o.requireActive ?? true,
    defaultPageSize: o.defaultPageSize ?? 50,
    requireAuth: o.requireAuth ?? true,
  };
}
