// Listener certificates for Terminate-mode TLS listeners: one SecureContext per certificate,
// reused across config updates, chosen by SNI (exact SAN, then wildcard SAN, then the first).
import { createSecureContext, type SecureContext } from "node:tls";
import type { IRCertificate } from "@gatehouse/ir";
import type { LogFn } from "../runtime/types.js";
import { certificateNameMatches } from "./hostname-match.js";

export interface ListenerCert {
  source: string;
  dnsNames: string[];
  context: SecureContext;
}

export class SecureContextCache {
  private entries = new Map<string, SecureContext>();
  private used = new Map<string, SecureContext>();

  constructor(private readonly log: LogFn) {}

  /** undefined (logged) when the PEMs do not load. */
  get(cert: IRCertificate): ListenerCert | undefined {
    if (typeof cert?.certificatePem !== "string" || typeof cert.privateKeyPem !== "string") return undefined;
    const key = `${cert.certificatePem}\u0000${cert.privateKeyPem}`;
    let context = this.used.get(key) ?? this.entries.get(key);
    if (context === undefined) {
      try {
        context = createSecureContext({ cert: cert.certificatePem, key: cert.privateKeyPem });
      } catch (e) {
        this.log("error", "l4: listener certificate does not load", { source: cert.source, error: (e as Error).message });
        return undefined;
      }
    }
    this.used.set(key, context);
    const dnsNames = Array.isArray(cert.dnsNames) ? cert.dnsNames.filter((n) => typeof n === "string").map((n) => n.toLowerCase()) : [];
    return { source: cert.source, dnsNames, context };
  }

  /** Called after a table build: forget the contexts the new table no longer uses. */
  sweep(): void {
    this.entries = this.used;
    this.used = new Map();
  }
}

export function chooseCertificate(certs: readonly ListenerCert[], sni: string | undefined): ListenerCert | undefined {
  if (sni !== undefined) {
    for (const c of certs) if (c.dnsNames.includes(sni)) return c;
    for (const c of certs) for (const d of c.dnsNames) if (d.startsWith("*.") && certificateNameMatches(d, sni)) return c;
  }
  return certs[0];
}
