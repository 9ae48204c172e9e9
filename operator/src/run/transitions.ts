// Which condition changes deserve a Kubernetes Event: a Gateway's Programmed and a route's
// Accepted per parent. The previous value comes from what we computed last, or, for an
// object not seen yet in this process, from its status on the server, so a restart does not
// repeat Events.
import type { StatusUpdate } from "@gatehouse/status";

export interface Transition {
  kind: string;
  namespace: string;
  name: string;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

interface Cond { type?: unknown; status?: unknown; reason?: unknown; message?: unknown }

/** Per object key and condition (`Gateway/ns/name/Programmed`, `HTTPRoute/ns/name/parent/<gw>`): last status. */
export class TransitionTracker {
  private last = new Map<string, string>();

  /**
   * Transitions between the previous statuses and `updates`. `live(update)` returns the
   * object's status on the server (from the watch cache).
   */
  diff(updates: readonly StatusUpdate[], controllerNames: readonly string[], live: (u: StatusUpdate) => Record<string, unknown> | undefined): Transition[] {
    const out: Transition[] = [];
    const next = new Map<string, string>();
    for (const u of updates) {
      for (const c of watched(u.kind, u.status, controllerNames)) {
        const key = `${u.kind}/${u.namespace}/${u.name}/${c.id}`;
        next.set(key, c.status);
        let prev = this.last.get(key);
        if (prev === undefined) {
          const l = live(u);
          prev = l ? watched(u.kind, l, controllerNames).find((x) => x.id === c.id)?.status : undefined;
        }
        if (prev === c.status) continue;
        out.push({
          kind: u.kind, namespace: u.namespace, name: u.name,
          type: c.status === "True" ? "Normal" : "Warning",
          reason: c.reason || c.type,
          message: `${c.what} ${c.type}=${c.status}${c.message ? `: ${c.message}` : ""}`,
        });
      }
    }
    this.last = next;
    return out;
  }
}

interface Watched { id: string; type: string; status: string; reason: string; message: string; what: string }

function watched(kind: string, status: Record<string, unknown>, controllerNames: readonly string[]): Watched[] {
  if (kind === "Gateway") {
    const c = conds(status["conditions"]).find((x) => x.type === "Programmed");
    return c ? [toWatched("Programmed", "Gateway", c)] : [];
  }
  if (kind === "GatewayClass" || kind === "BackendTLSPolicy") return [];
  const parents = Array.isArray(status["parents"]) ? (status["parents"] as unknown[]) : [];
  const out: Watched[] = [];
  for (const p of parents) {
    if (!p || typeof p !== "object") continue;
    const { controllerName, parentRef, conditions } = p as { controllerName?: unknown; parentRef?: { namespace?: unknown; name?: unknown; sectionName?: unknown; port?: unknown }; conditions?: unknown };
    if (typeof controllerName !== "string" || !controllerNames.includes(controllerName)) continue;
    const c = conds(conditions).find((x) => x.type === "Accepted");
    if (!c) continue;
    const ref = [parentRef?.namespace, parentRef?.name, parentRef?.sectionName, parentRef?.port].map((x) => (x == null ? "" : String(x))).join("/");
    out.push(toWatched(`parent/${ref}`, `parent ${String(parentRef?.name ?? "")}${parentRef?.sectionName ? `/${String(parentRef.sectionName)}` : ""}:`, c, "Accepted"));
  }
  return out;
}

function toWatched(id: string, what: string, c: Cond, type = "Programmed"): Watched {
  return {
    id, what, type,
    status: String(c.status ?? "Unknown"),
    reason: typeof c.reason === "string" ? c.reason : "",
    message: typeof c.message === "string" ? c.message : "",
  };
}

function conds(v: unknown): Cond[] {
  return Array.isArray(v) ? v.filter((x): x is Cond => !!x && typeof x === "object") : [];
}
