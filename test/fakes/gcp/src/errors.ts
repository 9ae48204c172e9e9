/**
 * Errors in the shape the Compute REST API returns them:
 * `{ "error": { "code", "message", "errors": [{ "message", "domain", "reason" }] } }`.
 * The client (google-gax REST fallback) maps `code` to a gRPC status and keeps the raw
 * body on the error under `Symbol.for("google-gax.rawHttpResponsePayload")`, which is
 * where a caller finds `errors[0].reason`.
 */
export interface ErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly items: ErrorItem[];
  /** Extra members of the `error` object (e.g. `status`, `details` on a 429). */
  readonly extra: Record<string, unknown>;

  constructor(status: number, message: string, reason: string, opts: { domain?: string; extra?: Record<string, unknown>; location?: string; locationType?: string } = {}) {
    super(message);
    this.status = status;
    const item: ErrorItem = { message, domain: opts.domain ?? "global", reason };
    if (opts.location !== undefined) item.location = opts.location;
    if (opts.locationType !== undefined) item.locationType = opts.locationType;
    this.items = [item];
    this.extra = opts.extra ?? {};
  }

  body(): unknown {
    return { error: { code: this.status, message: this.message, errors: this.items, ...this.extra } };
  }
}

export const notFound = (path: string): ApiError => new ApiError(404, `The resource '${path}' was not found`, "notFound");

export const alreadyExists = (path: string): ApiError => new ApiError(409, `The resource '${path}' already exists`, "alreadyExists");

/** `Invalid value for field 'resource.name': 'Bad_Name'. Must be a match of regex '…'` */
export const invalidField = (field: string, value: unknown, why: string): ApiError =>
  new ApiError(400, `Invalid value for field '${field}': '${display(value)}'. ${why}`, "invalid");

export const required = (field: string): ApiError =>
  new ApiError(400, `Required field '${field}' not specified`, "required");

export const badRequest = (message: string, reason = "invalid"): ApiError => new ApiError(400, message, reason);

/** `The backend_service resource 'projects/p/global/backendServices/b' is already being used by 'projects/p/global/urlMaps/u'` */
export const inUse = (noun: string, path: string, user: string): ApiError =>
  new ApiError(400, `The ${noun} resource '${path}' is already being used by '${user}'`, "resourceInUseByAnotherResource");

export const notReady = (path: string): ApiError => new ApiError(400, `The resource '${path}' is not ready`, "resourceNotReady");

export const conditionNotMet = (): ApiError =>
  new ApiError(412, "Precondition Failed", "conditionNotMet", { location: "If-Match", locationType: "header" });

export const rateLimited = (project: string): ApiError => {
  const message =
    `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project:${project}'.`;
  return new ApiError(429, message, "rateLimitExceeded", {
    domain: "usageLimits",
    extra: {
      status: "RESOURCE_EXHAUSTED",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "RATE_LIMIT_EXCEEDED",
          domain: "googleapis.com",
          metadata: { service: "compute.googleapis.com", quota_metric: "compute.googleapis.com/default", quota_limit: "defaultPerMinutePerProject", consumer: `projects/${project}` },
        },
      ],
    },
  });
};

export const backendError = (status: 500 | 503): ApiError =>
  new ApiError(status, "Internal error. Please try again or contact Google Support. (Code: 'fake-backend-error')", "backendError");

export const methodNotFound = (verb: string, path: string): ApiError =>
  new ApiError(404, `The requested URL ${path} was not found on this server (${verb}).`, "notFound");

function display(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
