/** inversify tokens. Providers bind PROVIDER (multi-binding), one per controllerName. */
export const TOKENS = {
  Provider: Symbol.for("gatehouse.Provider"),
  ProviderRegistry: Symbol.for("gatehouse.ProviderRegistry"),
  GraphBuilder: Symbol.for("gatehouse.GraphBuilder"),
  DesiredStateBuilder: Symbol.for("gatehouse.DesiredStateBuilder"),
  StatusComputer: Symbol.for("gatehouse.StatusComputer"),
  Pipeline: Symbol.for("gatehouse.Pipeline"),
  Clock: Symbol.for("gatehouse.Clock"),
} as const;
