// The bounded label values of the proxy's metrics: method classes, status code classes and
// the request duration buckets. Classes are small integers on the request path.

export const METHOD_CLASSES = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"] as const;
export const CODE_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

/** Request duration histogram buckets, seconds (upper bounds; +Inf is implied). */
export const DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function methodClass(m: string): number {
  switch (m) {
    case "GET": return 0;
    case "HEAD": return 1;
    case "POST": return 2;
    case "PUT": return 3;
    case "DELETE": return 4;
    case "PATCH": return 5;
    case "OPTIONS": return 6;
    default: return 7;
  }
}

/** 1xx → 0 … 5xx → 4 (anything outside 100–599 counts as 5xx). */
export function codeClass(status: number): number {
  const c = (status / 100) | 0;
  return c >= 1 && c <= 5 ? c - 1 : 4;
}

/** Status logged and counted for a request whose client went away before any response (as nginx does). */
export const CLIENT_CLOSED = 499;
