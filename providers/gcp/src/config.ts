// GCPConfig (gatehouse.dev/v1alpha1), the GatewayClass parameters: validated here because
// the spec is untrusted input. A bad field becomes the Gateway's Programmed=False message,
// naming the field path.

export type Scheme = "EXTERNAL_MANAGED" | "INTERNAL_MANAGED";

export interface GcpConfig {
  project: string;
  scope: "global" | "region";
  region?: string;
  loadBalancingScheme: Scheme;
  network: string;
  subnetwork?: string;
  /** The proxy-only subnet: a CIDR (opened in the firewall rule) or a subnetwork name. */
  proxyOnlySubnetwork?: string;
  zones: string[];
  labels: Record<string, string>;
  certificateMap?: string;
}

export type ConfigResult = { ok: true; config: GcpConfig } | { ok: false; message: string };

const REGION = /^[a-z]+(?:-[a-z0-9]+)+[0-9]$/;
const ZONE = /^[a-z]+(?:-[a-z0-9]+)+[0-9]-[a-z]$/;
const PROJECT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$|^[a-z][-a-z0-9.:]{0,62}$/;
const LABEL_KEY = /^[a-z][-_a-z0-9]{0,62}$/;
const LABEL_VALUE = /^[-_a-z0-9]{0,63}$/;
const RESOURCE = /^[-a-zA-Z0-9_./:]{1,1024}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const CERT_MAP = /^(\/\/certificatemanager\.googleapis\.com\/)?projects\/[^/]+\/locations\/global\/certificateMaps\/[^/]+$/;

export function isCidr(v: string): boolean {
  const m = CIDR.exec(v);
  return !!m && m.slice(1, 5).every((x) => Number(x) <= 255) && Number(m[5]) <= 32;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** GCPConfig spec → config, with `defaults.project` when the spec names none. */
export function parseConfig(spec: unknown, defaults: { project?: string }): ConfigResult {
  const fail = (field: string, why: string): ConfigResult => ({ ok: false, message: `spec.${field}: ${why}` });
  const s = spec === undefined || spec === null ? {} : spec;
  if (!isObj(s)) return { ok: false, message: "spec: must be an object" };
  const str = (k: string): string | undefined | null => {
    const v = s[k];
    if (v === undefined || v === null || v === "") return undefined;
    return typeof v === "string" ? v : null;
  };
  for (const k of ["project", "scope", "region", "loadBalancingScheme", "network", "subnetwork", "proxyOnlySubnetwork", "certificateMap"]) {
    if (str(k) === null) return fail(k, `must be a string, not ${JSON.stringify(s[k])}`);
  }
  const project = (str("project") as string | undefined) ?? defaults.project;
  if (!project) return fail("project", "required (the operator has no --gcp-project default)");
  if (!PROJECT.test(project)) return fail("project", `${JSON.stringify(project)} is not a valid project id`);

  const scope = (str("scope") as string | undefined) ?? "global";
  if (scope !== "global" && scope !== "region") return fail("scope", `${JSON.stringify(scope)} is not one of global, region`);
  const region = str("region") as string | undefined;
  if (scope === "region" && !region) return fail("region", "required when scope is region");
  if (scope === "global" && region) return fail("region", "must not be set when scope is global");
  if (region && !REGION.test(region)) return fail("region", `${JSON.stringify(region)} is not a region name (e.g. us-central1)`);

  const schemeRaw = (str("loadBalancingScheme") as string | undefined) ?? (scope === "global" ? "EXTERNAL_MANAGED" : "INTERNAL_MANAGED");
  if (schemeRaw !== "EXTERNAL_MANAGED" && schemeRaw !== "INTERNAL_MANAGED") {
    return fail("loadBalancingScheme", `${JSON.stringify(schemeRaw)} is not one of EXTERNAL_MANAGED, INTERNAL_MANAGED`);
  }
  const scheme: Scheme = schemeRaw;
  if (scheme === "INTERNAL_MANAGED" && scope === "global") {
    return fail("loadBalancingScheme", "INTERNAL_MANAGED needs scope region (cross-region internal load balancers are not supported)");
  }

  const network = (str("network") as string | undefined) ?? "default";
  if (!RESOURCE.test(network)) return fail("network", `${JSON.stringify(network)} is not a network name or URL`);
  const subnetwork = str("subnetwork") as string | undefined;
  if (subnetwork !== undefined && !RESOURCE.test(subnetwork)) return fail("subnetwork", `${JSON.stringify(subnetwork)} is not a subnetwork name or URL`);
  if (scheme === "INTERNAL_MANAGED" && !subnetwork) return fail("subnetwork", "required for INTERNAL_MANAGED (the subnet the load balancer's address comes from)");
  const proxyOnly = str("proxyOnlySubnetwork") as string | undefined;
  if (proxyOnly !== undefined && !isCidr(proxyOnly) && !RESOURCE.test(proxyOnly)) {
    return fail("proxyOnlySubnetwork", `${JSON.stringify(proxyOnly)} is neither a CIDR nor a subnetwork name`);
  }

  const zonesRaw = s["zones"] ?? [];
  if (!Array.isArray(zonesRaw)) return fail("zones", "must be a list of zone names");
  const zones: string[] = [];
  for (const [i, z] of zonesRaw.entries()) {
    if (typeof z !== "string" || !ZONE.test(z)) return fail(`zones[${i}]`, `${JSON.stringify(z)} is not a zone name (e.g. us-central1-a)`);
    if (region && !z.startsWith(`${region}-`)) return fail(`zones[${i}]`, `${z} is not in region ${region}`);
    zones.push(z);
  }

  const labelsRaw = s["labels"] ?? {};
  if (!isObj(labelsRaw)) return fail("labels", "must be a map of strings");
  const labels: Record<string, string> = {};
  for (const k of Object.keys(labelsRaw).sort()) {
    const v = labelsRaw[k];
    if (!LABEL_KEY.test(k)) return fail(`labels.${k}`, "keys must be lowercase letters, digits, - or _, starting with a letter, at most 63 characters");
    if (k.startsWith("gatehouse")) return fail(`labels.${k}`, "the gatehouse label prefix is reserved");
    if (typeof v !== "string" || !LABEL_VALUE.test(v)) return fail(`labels.${k}`, "values must be lowercase letters, digits, - or _, at most 63 characters");
    labels[k] = v;
  }
  if (Object.keys(labels).length > 60) return fail("labels", "at most 60 labels (GCP allows 64, gatehouse uses 4)");

  const certificateMap = str("certificateMap") as string | undefined;
  if (certificateMap !== undefined) {
    if (!CERT_MAP.test(certificateMap)) return fail("certificateMap", `${JSON.stringify(certificateMap)} is not //certificatemanager.googleapis.com/projects/{p}/locations/global/certificateMaps/{name}`);
    if (scope !== "global") return fail("certificateMap", "certificate maps work only with scope global");
  }

  const config: GcpConfig = { project, scope, loadBalancingScheme: scheme, network, zones, labels };
  if (region) config.region = region;
  if (subnetwork) config.subnetwork = subnetwork;
  if (proxyOnly) config.proxyOnlySubnetwork = proxyOnly;
  if (certificateMap) config.certificateMap = certificateMap;
  return { ok: true, config };
}
