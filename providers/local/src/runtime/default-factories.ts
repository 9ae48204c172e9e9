// The production factory table: HTTP/HTTPS → the HTTP transport, TLS/TCP/UDP → L4.
// Imported lazily, per protocol, by each worker (see factories.ts).
import type { FactoryTable } from "./factories.js";

const http = { load: async () => (await import("../http/index.js")).createHttpPort };

export const factories: FactoryTable = {
  HTTP: http,
  HTTPS: http,
  TLS: { load: async () => (await import("../l4/index.js")).createTlsPort },
  TCP: { load: async () => (await import("../l4/index.js")).createTcpPort },
  UDP: { load: async () => (await import("../l4/index.js")).createUdpPort },
};

/** This module, as a factory source for worker threads. */
export const DEFAULT_FACTORIES_MODULE: URL = new URL(import.meta.url);
