// gatehouse's own kinds (group gatehouse.dev). Only their envelope is typed here: the spec is
// validated by the backend that reads it (the CRD schema guards it on a cluster; files in
// standalone mode reach the core unchecked).
import type { ObjectMeta } from "./core-kinds.js";

/** Parameters of the local backend's GatewayClasses (namespaced; see providers/local/README.md). */
export interface LocalProxyConfig {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: unknown;
}
