// --gcp-endpoint support: point the clients at a Compute-compatible endpoint over plain
// HTTP with no credentials (the loopback fake in tests and e2e).

/** The two members google-gax calls on an auth client: no credentials, Node's fetch. */
function noAuthClient() {
  return {
    getRequestHeaders: async () => new Headers(),
    fetch: (input: string | URL, init: { method?: string; headers?: RequestInit["headers"]; body?: string | Uint8Array; signal?: AbortSignal } = {}) => {
      const req: RequestInit = { method: init.method ?? "GET" };
      if (init.headers !== undefined) req.headers = init.headers;
      if (init.body !== undefined) req.body = init.body as NonNullable<RequestInit["body"]>;
      if (init.signal !== undefined) req.signal = init.signal;
      return fetch(input, req);
    },
  };
}

/** Helper for the operator's --gcp-endpoint flag: http://host:port → clientOptions with no auth. */
export function gcpClientOptionsForEndpoint(url: string): Record<string, unknown> {
  const u = new URL(url);
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`--gcp-endpoint ${url}: must be http://host:port or https://host:port`);
  const port = u.port ? Number(u.port) : u.protocol === "http:" ? 80 : 443;
  const host = u.hostname.replace(/^\[|\]$/g, "");
  return { apiEndpoint: host, port, protocol: u.protocol.slice(0, -1), fallback: true, authClient: noAuthClient() };
}
