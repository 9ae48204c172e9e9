/**
 * Connecting the real `@google-cloud/compute` (7.x) clients to the fake.
 *
 * The clients are REST-only: each constructor defaults `fallback` to true, which selects
 * google-gax's HTTP/1.1 JSON transport (passing `fallback: true`, or the old `'rest'`, is
 * the same). The transport builds `${protocol}://${apiEndpoint}:${port}/compute/v1/...` and
 * sends every request through `authClient.fetch(url, init)` after `getRequestHeaders()`;
 * google-gax accepts any object with those two members as the auth client.
 */

/** The two members google-gax calls on an auth client. */
export interface NoAuthClient {
  getRequestHeaders(): Promise<Headers>;
  fetch(input: string | URL, init?: { method?: string; headers?: RequestInit["headers"]; body?: string | Uint8Array; signal?: AbortSignal }): Promise<Response>;
}

/** An auth client that sends no credentials, over Node's global fetch. */
export function noAuthClient(): NoAuthClient {
  return {
    getRequestHeaders: async () => new Headers(),
    // gaxios-only options (responseType, validateStatus, agent) are dropped: a fetch Response
    // already has the `ok`, `status` and `arrayBuffer()` the transport reads.
    fetch: (input, init = {}) => {
      const req: RequestInit = { method: init.method ?? "GET" };
      if (init.headers !== undefined) req.headers = init.headers;
      if (init.body !== undefined) req.body = init.body;
      if (init.signal !== undefined) req.signal = init.signal;
      return fetch(input, req);
    },
  };
}

/** Constructor options for any `@google-cloud/compute` client (a type alias, so it fits the clients' index-signature options type). */
export type ClientOptions = {
  apiEndpoint: string;
  port: number;
  protocol: "http";
  fallback: true;
  /**
   * A {@link NoAuthClient}. Typed `any` because the clients declare google-auth-library's
   * `AuthClient` class, which this package does not depend on; at run time google-gax only
   * checks for `getRequestHeaders` and calls `fetch`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  authClient: any;
};

export function clientOptions(at: { endpoint: string; port: number }): ClientOptions {
  return { apiEndpoint: at.endpoint, port: at.port, protocol: "http", fallback: true, authClient: noAuthClient() };
}
