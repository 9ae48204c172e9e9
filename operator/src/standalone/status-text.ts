// Statuses as short readable blocks, one per object, for standalone's stdout:
//
//   Gateway default/demo: Programmed=True (Programmed), addresses 127.0.0.1
//     listener http (HTTP 80, served on 8080): Programmed=True (Programmed), 2 routes
//   HTTPRoute default/app
//     parent Gateway default/demo: Accepted=True (Accepted), ResolvedRefs=True (ResolvedRefs)
//
// Every condition that is not in its normal state also shows its message on a line of its
// own. Times are left out, so a block changes only when something a person cares about does.
import type { StatusUpdate } from "@gatehouse/status";

interface Condition { type?: unknown; status?: unknown; reason?: unknown; message?: unknown }

export interface StatusTextContext {
  /** The controllerName whose entries we show (route parents of other controllers are theirs). */
  controllerName: string;
  portOffset: number;
  /** The object as read from the files (listener protocols and ports come from its spec). */
  lookup(kind: string, namespace: string, name: string): Record<string, unknown> | undefined;
}

/** Conditions whose normal state is False. */
const NEGATIVE = new Set(["Conflicted", "OverlappingTLSConfig"]);
/** Shown even when normal, per object kind. */
const HEADLINE: Record<string, string[]> = {
  GatewayClass: ["Accepted"],
  Gateway: ["Programmed"],
  listener: ["Programmed"],
  parent: ["Accepted", "ResolvedRefs"],
};

export function statusText(u: StatusUpdate, ctx: StatusTextContext): string {
  const id = `${u.kind} ${u.namespace ? `${u.namespace}/` : ""}${u.name}`;
  const s = u.status;
  switch (u.kind) {
    case "GatewayClass":
      return conditionBlock(`${id}: `, "GatewayClass", s.conditions, "").join("\n");
    case "Gateway":
      return gatewayText(id, u, ctx);
    default:
      return parentsText(id, u, ctx);
  }
}

function gatewayText(id: string, u: StatusUpdate, ctx: StatusTextContext): string {
  const s = u.status;
  const addresses = list(s.addresses).map((a) => String((a as { value?: unknown }).value ?? "")).filter((a) => a !== "");
  const lines = conditionBlock(`${id}: `, "Gateway", s.conditions, "", addresses.length ? `, addresses ${addresses.join(" ")}` : ", no address");
  const spec = ctx.lookup("Gateway", u.namespace, u.name)?.spec as { listeners?: unknown } | undefined;
  const specListeners = list(spec?.listeners) as { name?: unknown; port?: unknown; protocol?: unknown }[];
  for (const l of list(s.listeners) as { name?: unknown; attachedRoutes?: unknown; conditions?: unknown }[]) {
    const sl = specListeners.find((x) => x.name === l.name);
    let where = "";
    if (sl && typeof sl.port === "number") {
      where = ` (${String(sl.protocol ?? "?")} ${sl.port}${ctx.portOffset ? `, served on ${sl.port + ctx.portOffset}` : ""})`;
    }
    const routes = typeof l.attachedRoutes === "number" ? `, ${l.attachedRoutes} route${l.attachedRoutes === 1 ? "" : "s"}` : "";
    lines.push(...conditionBlock(`  listener ${String(l.name)}${where}: `, "listener", l.conditions, "  ", routes));
  }
  return lines.join("\n");
}

function parentsText(id: string, u: StatusUpdate, ctx: StatusTextContext): string {
  // Routes report per parent; BackendTLSPolicy per ancestor. Same shape.
  const entries = (list(u.status.parents).length ? list(u.status.parents) : list(u.status.ancestors)) as
    { parentRef?: unknown; ancestorRef?: unknown; controllerName?: unknown; conditions?: unknown }[];
  const ours = entries.filter((p) => p.controllerName === ctx.controllerName);
  if (ours.length === 0) return `${id}: not attached to any Gateway of ${ctx.controllerName}`;
  const lines = [id];
  for (const p of ours) {
    const label = u.kind === "BackendTLSPolicy" ? "ancestor" : "parent";
    lines.push(...conditionBlock(`  ${label} ${refText(p.parentRef ?? p.ancestorRef, u.namespace)}: `, "parent", p.conditions, "  "));
  }
  return lines.join("\n");
}

/** `Gateway default/demo`, plus `/section` and `:port` when the reference names them. */
function refText(ref: unknown, routeNamespace: string): string {
  const r = (ref ?? {}) as { kind?: unknown; namespace?: unknown; name?: unknown; sectionName?: unknown; port?: unknown };
  const kind = typeof r.kind === "string" ? r.kind : "Gateway";
  const ns = typeof r.namespace === "string" ? r.namespace : routeNamespace;
  let text = `${kind} ${ns ? `${ns}/` : ""}${String(r.name ?? "?")}`;
  if (typeof r.sectionName === "string") text += ` section ${r.sectionName}`;
  if (typeof r.port === "number") text += ` port ${r.port}`;
  return text;
}

/**
 * `<prefix>A=True (Reason), B=False (Reason)<suffix>`, then `<indent>  B: message` for each
 * condition not in its normal state. Shown: the headline conditions and every abnormal one.
 */
function conditionBlock(prefix: string, what: string, conditions: unknown, indent: string, suffix = ""): string[] {
  const conds = (list(conditions) as Condition[]).filter((c) => typeof c.type === "string");
  const headline = HEADLINE[what] ?? [];
  const shown = conds.filter((c) => headline.includes(String(c.type)) || !normal(c));
  shown.sort((a, b) => rank(a, headline) - rank(b, headline));
  const summary = shown.map((c) => `${String(c.type)}=${String(c.status)} (${String(c.reason ?? "")})`).join(", ");
  const lines = [`${prefix}${summary || "no conditions yet"}${suffix}`];
  for (const c of shown) {
    if (!normal(c) && typeof c.message === "string" && c.message !== "") lines.push(`${indent}    ${String(c.type)}: ${c.message}`);
  }
  return lines;
}

function normal(c: Condition): boolean {
  return c.status === (NEGATIVE.has(String(c.type)) ? "False" : "True");
}

function rank(c: Condition, headline: readonly string[]): number {
  const i = headline.indexOf(String(c.type));
  return i === -1 ? headline.length : i;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
