// TLS to a backend (appProtocol https, BackendTLSPolicy): SNI, trust anchors, SAN checks.
import { createHash } from "node:crypto";
import { checkServerIdentity, getCACertificates, type ConnectionOptions, type PeerCertificate } from "node:tls";
import type { IRBackend } from "@gatehouse/ir";

type BackendTLS = NonNullable<IRBackend["tls"]>;

let systemCAs: string[] | undefined;
function systemCertificates(): string[] {
  systemCAs ??= getCACertificates("system");
  return systemCAs;
}

/** URI SANs of a peer certificate (`subjectaltname` is `DNS:a, URI:b, ...`). */
function uriSANs(cert: PeerCertificate): string[] {
  const out: string[] = [];
  for (const part of (cert.subjectaltname ?? "").split(", ")) if (part.startsWith("URI:")) out.push(part.slice(4));
  return out;
}

function identityChecker(policy: BackendTLS): (host: string, cert: PeerCertificate) => Error | undefined {
  const sans = policy.subjectAltNames;
  if (sans.length === 0) return (_host, cert) => checkServerIdentity(policy.hostname, cert);
  return (_host, cert) => {
    for (const san of sans) {
      if (san.type === "Hostname" && checkServerIdentity(san.value, cert) === undefined) return undefined;
      if (san.type === "URI" && uriSANs(cert).includes(san.value)) return undefined;
    }
    const err = new Error(`certificate matches none of the subjectAltNames ${sans.map((s) => s.value).join(", ")}`);
    (err as Error & { code: string }).code = "ERR_TLS_CERT_ALTNAME_INVALID";
    return err;
  };
}

/**
 * tls.connect options for a backend. With a BackendTLSPolicy the peer is verified against
 * its CAs (or the system store) and SANs; without one (appProtocol https alone) there is no
 * trust anchor to check against, so the connection is encrypted but not verified, as nginx's
 * proxy_ssl_verify off.
 */
export function backendTlsOptions(backend: IRBackend): ConnectionOptions {
  const policy = backend.tls;
  if (!policy) return { rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] };
  const ca = policy.caCertificatesPem.length > 0 ? policy.caCertificatesPem
    : policy.wellKnownCACertificates === "System" ? systemCertificates() : undefined;
  return {
    servername: policy.hostname,
    ...(ca ? { ca } : {}),
    rejectUnauthorized: true,
    checkServerIdentity: identityChecker(policy),
    ALPNProtocols: ["http/1.1"],
  };
}

/** What distinguishes two TLS configurations to the same address (pool key part). */
export function backendTlsKey(backend: IRBackend): string {
  const p = backend.tls;
  if (!p) return "noverify";
  const h = createHash("sha256");
  for (const pem of p.caCertificatesPem) h.update(pem);
  const sans = p.subjectAltNames.map((s) => `${s.type}=${s.value}`).join(",");
  return `${p.hostname}|${p.wellKnownCACertificates ?? ""}|${sans}|${h.digest("hex").slice(0, 16)}`;
}
