// Where each Gateway's sockets live and what address its status shows.
//
// Outside a cluster (tests, standalone): every Gateway binds its own address from a pool
// (or its spec.addresses), on its listener ports (+ portOffset).
// In a cluster: every replica binds 0.0.0.0 on an internal port per (Gateway, listener
// port), and the operator (leader) maintains a Service per Gateway that maps each listener
// port to that internal port; the Exposer below is the operator's side of it.

export type ServiceType = "LoadBalancer" | "NodePort" | "ClusterIP";

export interface ExposedPort {
  /** The Gateway listener port (the Service port). */
  port: number;
  protocol: "TCP" | "UDP";
  /** The internal port every replica binds for this Gateway port (the Service targetPort). */
  targetPort: number;
}

export interface GatewayExposure {
  /** Gateway key `ns/name`. */
  gateway: string;
  namespace: string;
  name: string;
  ports: ExposedPort[];
  serviceType: ServiceType;
  /** Gateway spec.infrastructure plus LocalProxyConfig spec.service labels/annotations. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ExposureResult {
  gateway: string;
  /** Addresses for Gateway status.addresses (IPAddress or Hostname); empty while pending. */
  addresses: { type: "IPAddress" | "Hostname"; value: string }[];
  /** false while e.g. a LoadBalancer has no ingress yet, or on an API error. */
  ready: boolean;
  message: string;
}

/**
 * Implemented by the operator (Kubernetes Services). `expose` is given every local Gateway
 * each time the desired state changes; it creates/updates their Services, deletes Services of
 * Gateways no longer listed, and reports addresses. Non-leader replicas get a read-only
 * implementation (or none): only the leader writes.
 */
export interface Exposer {
  expose(gateways: GatewayExposure[]): Promise<ExposureResult[]>;
}
