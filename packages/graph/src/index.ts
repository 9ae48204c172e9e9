export type * from "./types.js";
export { buildGraph } from "./build.js";
export { ReferenceGrants } from "./refs.js";
export { graphModule } from "./module.js";
export { compareMatches, compareHostnames, type RankedMatch } from "./routes/precedence.js";
export { graphContext, finishGraph, serviceKeysOf, type GraphContext, type RouteTotals } from "./build.js";
export { buildRoute, routeObjects, type BuiltRoute, type RouteObject } from "./routes/routes.js";
