// Syntax checks from the VPC Lattice API model (lengths, patterns, ranges, enums, unions).
// Every failure is collected into one ValidationException with a fieldList, the way the
// service reports "N validation errors detected".
import { validation, type FieldError } from "./errors.js";

export type Json = Record<string, unknown>;

export interface StrRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: readonly string[];
}

export interface IntRule {
  required?: boolean;
  min?: number;
  max?: number;
}

export class Check {
  readonly errors: FieldError[] = [];

  fail(name: string, message: string): void {
    this.errors.push({ name, message: `Value at '${name}' ${message}` });
  }

  private bad(name: string, value: unknown, constraint: string): void {
    this.errors.push({
      name,
      message: `Value '${short(value)}' at '${name}' failed to satisfy constraint: ${constraint}`,
    });
  }

  missing(name: string): void {
    this.errors.push({ name, message: `Value null at '${name}' failed to satisfy constraint: Member must not be null` });
  }

  str(name: string, value: unknown, rule: StrRule = {}): string | undefined {
    if (value === undefined || value === null) {
      if (rule.required) this.missing(name);
      return undefined;
    }
    if (typeof value !== "string") {
      this.bad(name, value, "Member must be a string");
      return undefined;
    }
    let ok = true;
    if (rule.min !== undefined && value.length < rule.min) {
      this.bad(name, value, `Member must have length greater than or equal to ${rule.min}`);
      ok = false;
    }
    if (rule.max !== undefined && value.length > rule.max) {
      this.bad(name, value, `Member must have length less than or equal to ${rule.max}`);
      ok = false;
    }
    if (rule.enum && !rule.enum.includes(value)) {
      this.bad(name, value, `Member must satisfy enum value set: [${rule.enum.join(", ")}]`);
      ok = false;
    }
    if (ok && rule.pattern && !rule.pattern.test(value)) {
      this.bad(name, value, `Member must satisfy regular expression pattern: ${modelPattern(rule.pattern)}`);
      ok = false;
    }
    return ok ? value : undefined;
  }

  int(name: string, value: unknown, rule: IntRule = {}): number | undefined {
    if (value === undefined || value === null) {
      if (rule.required) this.missing(name);
      return undefined;
    }
    if (typeof value !== "number" || !Number.isInteger(value)) {
      this.bad(name, value, "Member must be an integer");
      return undefined;
    }
    if (rule.min !== undefined && value < rule.min) {
      this.bad(name, value, `Member must have value greater than or equal to ${rule.min}`);
      return undefined;
    }
    if (rule.max !== undefined && value > rule.max) {
      this.bad(name, value, `Member must have value less than or equal to ${rule.max}`);
      return undefined;
    }
    return value;
  }

  bool(name: string, value: unknown): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") {
      this.bad(name, value, "Member must be a boolean");
      return undefined;
    }
    return value;
  }

  obj(name: string, value: unknown, required = false): Json | undefined {
    if (value === undefined || value === null) {
      if (required) this.missing(name);
      return undefined;
    }
    if (typeof value !== "object" || Array.isArray(value)) {
      this.bad(name, value, "Member must be a structure");
      return undefined;
    }
    return value as Json;
  }

  list(name: string, value: unknown, rule: { required?: boolean; min?: number; max?: number } = {}): unknown[] | undefined {
    if (value === undefined || value === null) {
      if (rule.required) this.missing(name);
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.bad(name, value, "Member must be a list");
      return undefined;
    }
    if (rule.min !== undefined && value.length < rule.min) {
      this.bad(name, `[${value.length} items]`, `Member must have length greater than or equal to ${rule.min}`);
      return undefined;
    }
    if (rule.max !== undefined && value.length > rule.max) {
      this.bad(name, `[${value.length} items]`, `Member must have length less than or equal to ${rule.max}`);
      return undefined;
    }
    return value;
  }

  /** A smithy union: exactly one of `members` must be set. Returns [member, value]. */
  union(name: string, value: unknown, members: readonly string[], required = false): [string, unknown] | undefined {
    const o = this.obj(name, value, required);
    if (!o) return undefined;
    const set = members.filter((m) => o[m] !== undefined && o[m] !== null);
    const unknown = Object.keys(o).filter((k) => !members.includes(k) && o[k] !== undefined && o[k] !== null);
    if (set.length !== 1 || unknown.length) {
      this.bad(name, value, `Member must have exactly one of [${members.join(", ")}] set`);
      return undefined;
    }
    const k = set[0]!;
    return [k, o[k]];
  }

  /** Tag map: ≤ 50 tags a resource (the model allows 200 a request), keys 1–128, values 0–256, no `aws:` prefix. */
  tags(name: string, value: unknown): Record<string, string> | undefined {
    const o = this.obj(name, value);
    if (!o) return undefined;
    const keys = Object.keys(o);
    if (keys.length > 50) {
      this.bad(name, `{${keys.length} tags}`, "A resource can have at most 50 tags");
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const k of keys) {
      if (k.length < 1 || k.length > 128) {
        this.bad(`${name}.${k}.member.key`, k, "Member must have length less than or equal to 128");
        continue;
      }
      if (k.toLowerCase().startsWith("aws:")) {
        this.bad(`${name}.${k}.member.key`, k, "Member must not begin with the reserved prefix 'aws:'");
        continue;
      }
      const v = this.str(`${name}.${k}.member.value`, o[k], { required: true, max: 256 });
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  done(): void {
    if (this.errors.length) throw validation(this.errors);
  }
}

function short(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The model's pattern behind an anchored RegExp made by whole(). */
function modelPattern(re: RegExp): string {
  return re.source.startsWith("^(?:") && re.source.endsWith(")$") ? re.source.slice(4, -2) : re.source;
}

/** Anchors a model pattern: the model's patterns must match the whole value. */
export function whole(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}

/** Patterns and lengths from the VPC Lattice API model (2022-11-30). */
export const P = {
  serviceName: whole("(?!svc-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+"),
  serviceNetworkName: whole("(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+"),
  listenerName: whole("(?!listener-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+"),
  ruleName: whole("(?!rule-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+"),
  targetGroupName: whole("(?!tg-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+"),
  clientToken: whole(".*[!-~]+.*"),
  certificateArn: whole(
    "(arn(:[a-z0-9]+([.-][a-z0-9]+)*){2}(:([a-z0-9]+([.-][a-z0-9]+)*)?){2}:certificate/[0-9a-z-]+)?",
  ),
  vpcId: whole("vpc-(([0-9a-z]{8})|([0-9a-z]{17}))"),
  securityGroupId: whole("sg-(([0-9a-z]{8})|([0-9a-z]{17}))"),
  path: whole("/[a-zA-Z0-9@:%_+.~#?&/=-]*"),
  healthCheckPath: whole("(/[a-zA-Z0-9@:%_+.~#?&/=-]*)?"),
  httpCodeMatcher: whole("([0-9-,]+)?"),
  arn: whole("arn:[a-z0-9][-.a-z0-9]{0,62}:vpc-lattice:([a-z0-9][-.a-z0-9]{0,62})?:\\d{12}?:[^/].{0,1023}"),
  serviceId: whole("((svc-[0-9a-z]{17})|(arn:[a-z0-9\\-]+:vpc-lattice:[a-zA-Z0-9\\-]+:\\d{12}:service/svc-[0-9a-z]{17}))"),
  serviceNetworkId: whole(
    "((sn-[0-9a-z]{17})|(arn:[a-z0-9\\-]+:vpc-lattice:[a-zA-Z0-9\\-]+:\\d{12}:servicenetwork/sn-[0-9a-z]{17}))",
  ),
  listenerId: whole(
    "((listener-[0-9a-z]{17})|(arn:[a-z0-9\\-]+:vpc-lattice:[a-zA-Z0-9\\-]+:\\d{12}:service/svc-[0-9a-z]{17}/listener/listener-[0-9a-z]{17}))",
  ),
  ruleId: whole(
    "((rule-[0-9a-z]{17})|(arn:[a-z0-9\\-]+:vpc-lattice:[a-zA-Z0-9\\-]+:\\d{12}:service/svc-[0-9a-z]{17}/listener/listener-[0-9a-z]{17}/rule/rule-[0-9a-z]{17}))",
  ),
  targetGroupId: whole(
    "((tg-[0-9a-z]{17})|(arn:[a-z0-9\\-]+:vpc-lattice:[a-zA-Z0-9\\-]+:\\d{12}:targetgroup/tg-[0-9a-z]{17}))",
  ),
  vpcAssociationId: whole(
    "((snva-[0-9a-z]{17})|(arn:[a-z0-9\\-]+:vpc-lattice:[a-zA-Z0-9\\-]+:\\d{12}:servicenetworkvpcassociation/snva-[0-9a-z]{17}))",
  ),
  serviceAssociationId: whole(
    "((snsa-[0-9a-z]{17})|(arn:[a-z0-9\\-]+:vpc-lattice:[a-zA-Z0-9\\-]+:\\d{12}:servicenetworkserviceassociation/snsa-[0-9a-z]{17}))",
  ),
  authResourceId: whole(
    "((((sn)|(svc))-[0-9a-z]{17})|(arn(:[a-z0-9]+([.-][a-z0-9]+)*){2}(:([a-z0-9]+([.-][a-z0-9]+)*)?){2}:((servicenetwork/sn)|(service/svc))-[0-9a-z]{17}))",
  ),
} as const;

export const AUTH_TYPES = ["NONE", "AWS_IAM"] as const;
export const LISTENER_PROTOCOLS = ["HTTP", "HTTPS", "TLS_PASSTHROUGH"] as const;
export const TG_TYPES = ["IP", "LAMBDA", "INSTANCE", "ALB"] as const;
export const TG_PROTOCOLS = ["HTTP", "HTTPS", "TCP"] as const;
export const TG_PROTOCOL_VERSIONS = ["HTTP1", "HTTP2", "GRPC"] as const;
export const HC_PROTOCOL_VERSIONS = ["HTTP1", "HTTP2"] as const;
export const IP_ADDRESS_TYPES = ["IPV4", "IPV6"] as const;
export const LAMBDA_EVENT_VERSIONS = ["V1", "V2"] as const;
