// gatehouse's own kinds (group gatehouse.dev). Only their envelope is typed here: the spec is
// validated by the backend that reads it (the CRD schema guards it on a cluster; files in
// standalone mode reach the core unchecked).
import type { ObjectMeta } from "./core-kinds.js";

/** A gatehouse.dev parameters object: a GatewayClass parametersRef target (namespaced). */
export interface GatehouseConfig {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: unknown;
}

/** Parameters of the local backend's GatewayClasses (see providers/local/README.md). */
export type LocalProxyConfig = GatehouseConfig;
/** Parameters of the aws-vpc-lattice backend's GatewayClasses (see providers/aws-vpc-lattice/README.md). */
export type LatticeConfig = GatehouseConfig;
/** Parameters of the gcp backend's GatewayClasses (see providers/gcp/README.md). */
export type GCPConfig = GatehouseConfig;
