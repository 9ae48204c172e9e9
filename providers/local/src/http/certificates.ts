// Server certificates of an HTTPS port, chosen by SNI among every listener's certificates:
// exact name, then the listener hostname, then a wildcard, then the port's first certificate.
import { createSecureContext, type SecureContext } from "node:tls";
import type { IRListener } from "@gatehouse/ir";
import type { LogFn } from "../runtime/types.js";

interface Loaded { ctx: SecureContext; certificatePem: string; privateKeyPem: string }

export class CertificateStore {
  private readonly exactNames = new Map<string, SecureContext>();
  private readonly listenerExact = new Map<string, SecureContext>();
  /** `*.example.com` → context, keyed by `example.com`. */
  private readonly wildcardNames = new Map<string, SecureContext>();
  private readonly listenerWildcard = new Map<string, SecureContext>();
  /** Loaded contexts by certificate source, for the next store to reuse. */
  private readonly loaded = new Map<string, Loaded>();
  fallback: SecureContext | undefined;
  /** Key and certificate PEM of the fallback (the TLS server's default context). */
  fallbackPem: { key: string; cert: string } | undefined;

  constructor(listeners: readonly IRListener[], log: LogFn, previous?: CertificateStore) {
    for (const l of listeners) {
      const certs = l.tls?.mode === "Terminate" && Array.isArray(l.tls.certificates) ? l.tls.certificates : [];
      let first: SecureContext | undefined;
      for (const c of certs) {
        const ctx = this.load(c.source, c.certificatePem, c.privateKeyPem, log, previous);
        if (ctx === undefined) continue;
        first ??= ctx;
        if (this.fallback === undefined) {
          this.fallback = ctx;
          this.fallbackPem = { key: c.privateKeyPem, cert: c.certificatePem };
        }
        for (const raw of Array.isArray(c.dnsNames) ? c.dnsNames : []) {
          const name = String(raw).toLowerCase();
          if (name.startsWith("*.")) { if (!this.wildcardNames.has(name.slice(2))) this.wildcardNames.set(name.slice(2), ctx); }
          else if (!this.exactNames.has(name)) this.exactNames.set(name, ctx);
        }
      }
      const h = typeof l.hostname === "string" ? l.hostname.toLowerCase() : undefined;
      if (first !== undefined && h !== undefined && h !== "") {
        if (h.startsWith("*.")) { if (!this.listenerWildcard.has(h.slice(2))) this.listenerWildcard.set(h.slice(2), first); }
        else if (!this.listenerExact.has(h)) this.listenerExact.set(h, first);
      }
    }
  }

  private load(source: string, certificatePem: string, privateKeyPem: string, log: LogFn, previous?: CertificateStore): SecureContext | undefined {
    const key = `${source}`;
    const mine = this.loaded.get(key);
    if (mine && mine.certificatePem === certificatePem && mine.privateKeyPem === privateKeyPem) return mine.ctx;
    const old = previous?.loaded.get(key);
    if (old && old.certificatePem === certificatePem && old.privateKeyPem === privateKeyPem) {
      this.loaded.set(key, old);
      return old.ctx;
    }
    try {
      const ctx = createSecureContext({ cert: certificatePem, key: privateKeyPem });
      this.loaded.set(key, { ctx, certificatePem, privateKeyPem });
      return ctx;
    } catch (e) {
      log("warn", "certificate not loaded", { source, error: (e as Error).message });
      return undefined;
    }
  }

  /** The context for an SNI name (undefined: the server's default, i.e. the fallback). */
  select(servername: string): SecureContext | undefined {
    const name = servername.toLowerCase();
    const exact = this.exactNames.get(name) ?? this.listenerExact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf(".");
    if (dot > 0) {
      const parent = name.slice(dot + 1);
      const wild = this.wildcardNames.get(parent) ?? this.listenerWildcard.get(parent);
      if (wild !== undefined) return wild;
    }
    // Listener wildcards cover any depth (Gateway API hostname semantics).
    for (let i = name.indexOf("."); i >= 0; i = name.indexOf(".", i + 1)) {
      const w = this.listenerWildcard.get(name.slice(i + 1));
      if (w !== undefined) return w;
    }
    return this.fallback;
  }
}
