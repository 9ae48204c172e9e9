// The error shapes VPC Lattice returns over rest-json: the code travels in the
// `x-amzn-errortype` header, the members (message, fieldList, resourceId, …) in the JSON body,
// and ThrottlingException/InternalServerException carry `Retry-After` as a header.

export interface FieldError {
  name: string;
  message: string;
}

export type ErrorCode =
  | "ValidationException"
  | "ResourceNotFoundException"
  | "ConflictException"
  | "ServiceQuotaExceededException"
  | "ThrottlingException"
  | "InternalServerException"
  | "AccessDeniedException"
  | "UnknownOperationException";

/** Resource kinds as named in resourceType members of errors. */
export type ResourceType =
  | "SERVICE_NETWORK"
  | "SERVICE"
  | "LISTENER"
  | "RULE"
  | "TARGET_GROUP"
  | "TARGET"
  | "SERVICE_NETWORK_VPC_ASSOCIATION"
  | "SERVICE_NETWORK_SERVICE_ASSOCIATION"
  | "AUTH_POLICY"
  | "RESOURCE";

export class LatticeError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    /** Extra body members (resourceId, fieldList, quotaCode, …). */
    readonly members: Record<string, unknown> = {},
    /** Seconds for the Retry-After header. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { message: this.message, ...this.members };
  }
}

export function validation(fields: FieldError[], reason = "fieldValidationFailed"): LatticeError {
  const n = fields.length;
  const message = `${n} validation error${n === 1 ? "" : "s"} detected: ${fields.map((f) => f.message).join("; ")}`;
  return new LatticeError("ValidationException", 400, message, { reason, fieldList: fields });
}

/** A validation failure that is not about one field's syntax (a rule of the service). */
export function invalid(message: string, field?: string): LatticeError {
  return new LatticeError("ValidationException", 400, message, {
    reason: "other",
    ...(field ? { fieldList: [{ name: field, message }] } : {}),
  });
}

export function notFound(type: ResourceType, id: string, what = type.toLowerCase().replace(/_/g, " ")): LatticeError {
  return new LatticeError("ResourceNotFoundException", 404, `The ${what} '${id}' was not found.`, {
    resourceId: id,
    resourceType: type,
  });
}

export function conflict(type: ResourceType, id: string, message: string): LatticeError {
  return new LatticeError("ConflictException", 409, message, { resourceId: id, resourceType: type });
}

export function quotaExceeded(type: ResourceType, quotaCode: string, message: string, resourceId?: string): LatticeError {
  return new LatticeError("ServiceQuotaExceededException", 402, message, {
    resourceType: type,
    serviceCode: "vpc-lattice",
    quotaCode,
    ...(resourceId ? { resourceId } : {}),
  });
}

export function throttling(retryAfterSeconds = 1, message = "Rate exceeded"): LatticeError {
  return new LatticeError(
    "ThrottlingException",
    429,
    message,
    { serviceCode: "vpc-lattice", quotaCode: "L-RATE" },
    retryAfterSeconds,
  );
}

export function internal(message = "An internal error occurred.", retryAfterSeconds?: number): LatticeError {
  return new LatticeError("InternalServerException", 500, message, {}, retryAfterSeconds);
}
