import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";

// PEM helpers shared by listener certificates and BackendTLSPolicy CA bundles.
// node:crypto parsing is pure computation (no I/O), so the graph stays pure.

const BASE64 = /^[A-Za-z0-9+/=\r\n\t ]*$/;
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Decodes a Secret `data` value; undefined when it is not a base64 string. */
export function decodeBase64(v: unknown): string | undefined {
  if (typeof v !== "string" || !BASE64.test(v)) return undefined;
  return Buffer.from(v, "base64").toString("utf8");
}

/** Every CERTIFICATE block in the text; throws if a block does not parse. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(CERT_BLOCK) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** A private key in any PEM form Node reads (PKCS#1, PKCS#8, SEC1); throws if it does not parse. */
export function parsePrivateKey(pem: string): KeyObject {
  if (!pem.includes("-----BEGIN")) throw new Error("no PEM block");
  return createPrivateKey({ key: pem, format: "pem" });
}

/** DNS names from the SAN extension, or the subject CN when there is no DNS SAN. */
export function certificateDnsNames(cert: X509Certificate): string[] {
  const names = new Set<string>();
  for (const entry of splitSan(cert.subjectAltName ?? "")) {
    if (entry.startsWith("DNS:")) names.add(unquote(entry.slice(4)).toLowerCase());
  }
  if (names.size === 0) {
    for (const line of (cert.subject ?? "").split("\n")) {
      if (line.startsWith("CN=")) names.add(line.slice(3).toLowerCase());
    }
  }
  return [...names].sort();
}

/** Node separates SAN entries with ", " and quotes entries that contain one. */
function splitSan(san: string): string[] {
  const out: string[] = [];
  let cur = "", quoted = false;
  for (let i = 0; i < san.length; i++) {
    const c = san[i]!;
    if (c === '"') quoted = !quoted;
    if (!quoted && c === "," && san[i + 1] === " ") { out.push(cur); cur = ""; i++; continue; }
    cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** Certificate validity end as ISO date. */
export function notAfterIso(cert: X509Certificate): string {
  const d = new Date(cert.validTo);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}
