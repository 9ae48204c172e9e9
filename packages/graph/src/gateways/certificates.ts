import { GATEWAY_GROUP, REASON, nsName, type Secret } from "@gatehouse/model";
import type { ResolvedCertificate } from "../types.js";
import type { ReferenceGrants } from "../refs.js";
import { coreGroup, isObj, show, str } from "../json.js";
import { certificateDnsNames, decodeBase64, notAfterIso, parseCertificates, parsePrivateKey } from "./pem.js";

export interface CertificateProblem { reason: string; message: string }

export interface CertificateRefsResult {
  certificates: ResolvedCertificate[];
  /** `ns/name` of every Secret named (found or not), sorted, deduplicated. */
  keys: string[];
  /** One per unusable ref, in ref order. */
  problems: CertificateProblem[];
}

/** Reads Secrets by `ns/name` and memoizes parsed key pairs for one graph build. */
export class SecretStore {
  private readonly byKey = new Map<string, Secret>();
  private readonly parsed = new Map<string, ResolvedCertificate | string>();

  constructor(secrets: readonly Secret[]) {
    for (const s of secrets) {
      const name = s?.metadata?.name;
      if (typeof name === "string") this.byKey.set(nsName(s.metadata?.namespace ?? "", name), s);
    }
  }

  get(key: string): Secret | undefined { return this.byKey.get(key); }

  /** The Secret as a TLS key pair, or why it is not one. */
  keyPair(key: string): ResolvedCertificate | string {
    let r = this.parsed.get(key);
    if (r === undefined) {
      const s = this.byKey.get(key);
      r = s ? parseTlsSecret(s, `secret/${key}`) : `Secret ${key} does not exist`;
      this.parsed.set(key, r);
    }
    return r;
  }
}

/**
 * Validates a kubernetes.io/tls Secret: tls.crt holds ≥ 1 certificate, tls.key a private
 * key matching the first one. Returns the normalized PEM or a message saying what is wrong.
 * `stringData` is read when `data` lacks a key (hand-written manifests use it).
 */
export function parseTlsSecret(s: Secret, source: string): ResolvedCertificate | string {
  const key = source.slice("secret/".length);
  if (s.type !== "kubernetes.io/tls") return `Secret ${key} is of type ${show(s.type ?? "Opaque")}, not kubernetes.io/tls`;
  const crt = secretValue(s, "tls.crt");
  const pkey = secretValue(s, "tls.key");
  if (crt === undefined) return `Secret ${key} has no valid tls.crt`;
  if (pkey === undefined) return `Secret ${key} has no valid tls.key`;
  let certs;
  try { certs = parseCertificates(crt); } catch { return `Secret ${key}: tls.crt is not a valid PEM certificate`; }
  const leaf = certs[0];
  if (!leaf) return `Secret ${key}: tls.crt contains no PEM certificate`;
  let privateKey;
  try { privateKey = parsePrivateKey(pkey); } catch { return `Secret ${key}: tls.key is not a valid PEM private key`; }
  let matches = false;
  try { matches = leaf.checkPrivateKey(privateKey); } catch { matches = false; }
  if (!matches) return `Secret ${key}: tls.key does not match the certificate in tls.crt`;
  return {
    source,
    certificatePem: certs.map((c) => c.toString().trim()).join("\n") + "\n",
    privateKeyPem: String(privateKey.export({ type: "pkcs8", format: "pem" })),
    dnsNames: certificateDnsNames(leaf),
    notAfter: notAfterIso(leaf),
  };
}

function secretValue(s: Secret, k: string): string | undefined {
  const data = isObj(s.data) ? s.data : {};
  if (data[k] !== undefined) return decodeBase64(data[k]);
  const sd = isObj((s as { stringData?: unknown }).stringData) ? (s as { stringData: Record<string, unknown> }).stringData : {};
  return str(sd[k]);
}

/**
 * Resolves spec.listeners[i].tls.certificateRefs for a Gateway in `gatewayNamespace`.
 * Per ref: kind must be a core Secret (InvalidCertificateRef), a cross-namespace ref needs
 * a ReferenceGrant (RefNotPermitted), and the Secret must exist and hold a TLS key pair
 * (InvalidCertificateRef).
 */
export function resolveCertificateRefs(
  refs: unknown[], path: string, gatewayNamespace: string, secrets: SecretStore, grants: ReferenceGrants,
): CertificateRefsResult {
  const certificates: ResolvedCertificate[] = [];
  const keys = new Set<string>();
  const problems: CertificateProblem[] = [];
  refs.forEach((ref, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(ref) || typeof ref.name !== "string" || ref.name === "") {
      return void problems.push({ reason: REASON.InvalidCertificateRef, message: `${p}.name: required` });
    }
    const kind = ref.kind ?? "Secret";
    if (!coreGroup(ref.group) || kind !== "Secret") {
      return void problems.push({
        reason: REASON.InvalidCertificateRef,
        message: `${p}: ${show(ref.group ?? "")}/${show(kind)} is not supported; only core Secrets can hold certificates`,
      });
    }
    const namespace = typeof ref.namespace === "string" && ref.namespace !== "" ? ref.namespace : gatewayNamespace;
    const key = nsName(namespace, ref.name);
    keys.add(key);
    const allowed = grants.allowed(
      { group: GATEWAY_GROUP, kind: "Gateway", namespace: gatewayNamespace },
      { group: "", kind: "Secret", namespace, name: ref.name },
    );
    if (!allowed) {
      return void problems.push({
        reason: REASON.RefNotPermitted,
        message: `${p}: Secret ${key} is in another namespace and no ReferenceGrant in ${namespace} allows Gateways from ${gatewayNamespace} to refer to it`,
      });
    }
    const pair = secrets.keyPair(key);
    if (typeof pair === "string") return void problems.push({ reason: REASON.InvalidCertificateRef, message: `${p}: ${pair}` });
    certificates.push(pair);
  });
  return { certificates, keys: [...keys].sort(), problems };
}
