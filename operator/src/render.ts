import { X509Certificate, createHash } from "node:crypto";
import { stringify } from "yaml";
import type { ComputeOutput } from "@gatehouse/core";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----\s*/g;

/**
 * Replaces every PEM block inside a string by a short fingerprint, so output never carries
 * key material and stays readable: certificates by their SHA-256 fingerprint (as openssl
 * prints it, first 8 bytes), other blocks (keys) by a SHA-256 of the block text.
 */
export function shortenPem(text: string): string {
  if (!text.includes("-----BEGIN ")) return text;
  const parts: string[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) parts.push(fingerprint(m[1] ?? "PEM", m[0]));
  return parts.length ? parts.join(" ") : text;
}

function fingerprint(label: string, block: string): string {
  if (label === "CERTIFICATE") {
    try {
      return `<CERTIFICATE sha256 ${new X509Certificate(block).fingerprint256.slice(0, 23)}…>`;
    } catch {
      // not a parsable certificate: fall through to a plain hash
    }
  }
  const h = createHash("sha256").update(block.trim()).digest("hex").slice(0, 16);
  return `<${label} sha256:${h}…>`;
}

/** Deep copy with every string passed through shortenPem. */
export function redact(value: unknown): unknown {
  if (typeof value === "string") return shortenPem(value);
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v);
    return out;
  }
  return value;
}

/** The CLI's output document: computed statuses, then the desired state, as YAML. */
export function renderOutput(out: ComputeOutput, header: string): string {
  const doc = { statuses: out.statuses, desiredState: out.desired };
  const body = stringify(redact(doc), { lineWidth: 0, aliasDuplicateObjects: false });
  return `# ${header}\n${body}`;
}
