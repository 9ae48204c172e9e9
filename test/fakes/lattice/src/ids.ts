// Ids, ARNs and DNS names in the formats VPC Lattice uses (`svc-` + 17 of [0-9a-z], …).
// Derived from a seed and a counter so a seeded fake hands out the same ids every run.
import { createHash, randomBytes } from "node:crypto";

export type IdPrefix = "sn" | "svc" | "listener" | "rule" | "tg" | "snva" | "snsa";

export class Ids {
  private n = 0;

  constructor(private readonly seed: string = randomBytes(8).toString("hex")) {}

  private hex(kind: string, len: number): string {
    this.n++;
    return createHash("sha256").update(`${this.seed}:${kind}:${this.n}`).digest("hex").slice(0, len);
  }

  id(prefix: IdPrefix): string {
    return `${prefix}-${this.hex(prefix, 17)}`;
  }

  /** A Route 53 hosted zone id look-alike. */
  hostedZoneId(): string {
    return `Z${this.hex("zone", 13).toUpperCase()}`;
  }

  /** The 7-hex group of generated service domain names. */
  dnsGroup(): string {
    return this.hex("dns", 7);
  }

  requestId(): string {
    const h = this.hex("req", 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }

  reset(): void {
    this.n = 0;
  }
}

export class Arns {
  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  private base(): string {
    return `arn:aws:vpc-lattice:${this.region}:${this.accountId}`;
  }
  serviceNetwork(id: string): string {
    return `${this.base()}:servicenetwork/${id}`;
  }
  service(id: string): string {
    return `${this.base()}:service/${id}`;
  }
  listener(serviceId: string, id: string): string {
    return `${this.service(serviceId)}/listener/${id}`;
  }
  rule(serviceId: string, listenerId: string, id: string): string {
    return `${this.listener(serviceId, listenerId)}/rule/${id}`;
  }
  targetGroup(id: string): string {
    return `${this.base()}:targetgroup/${id}`;
  }
  vpcAssociation(id: string): string {
    return `${this.base()}:servicenetworkvpcassociation/${id}`;
  }
  serviceAssociation(id: string): string {
    return `${this.base()}:servicenetworkserviceassociation/${id}`;
  }
}

/** The last path segment of an ARN, or the value itself when it is an id. */
export function idOf(identifier: string): string {
  const i = identifier.lastIndexOf("/");
  return i < 0 ? identifier : identifier.slice(i + 1);
}
