export type * from "./types.js";
// Graph shapes the IR embeds, re-exported so providers (which never import the graph) can name them.
export type {
  BackendTLSNode, CORSConfig, EndpointNode, HTTPMatchNode, HeaderModifierConfig, PathModifier, RedirectConfig, RewriteConfig,
} from "@gatehouse/graph";
export { buildDesiredState } from "./build.js";
export { irModule } from "./module.js";
export { backendId } from "./backends.js";
export { hostCovers } from "./virtual-hosts.js";
export { fitName, type NameRules } from "./names.js";
export { shortHash } from "./hash.js";
export type * from "./views/lattice-types.js";
export { LATTICE } from "./views/lattice-types.js";
export { routeCentricView } from "./views/lattice.js";
export type * from "./views/gcp-types.js";
export { GCP } from "./views/gcp-types.js";
export { gatewayCentricView } from "./views/gcp.js";
export { IRMemo } from "./memo.js";
