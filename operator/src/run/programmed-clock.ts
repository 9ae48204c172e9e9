// How long Gateways take to become Programmed: from the first reconcile that saw a Gateway
// generation not programmed to the one whose status says Programmed=True. Kept per Gateway and
// generation, so an edit that un-programs a Gateway starts a new measurement.
import type { StatusUpdate } from "@gatehouse/status";

interface Pending { generation: number; since: number; controller: string }

export interface ProgrammedObservation { controller: string; seconds: number }

export class ProgrammedClock {
  private pending = new Map<string, Pending>();

  /**
   * Feeds one reconcile's Gateway statuses (`controllerOf(ns/name)` names their controller);
   * returns the Gateways that became Programmed, with their time to it.
   */
  observe(updates: readonly StatusUpdate[], controllerOf: (key: string) => string | undefined, nowMs: number): ProgrammedObservation[] {
    const out: ProgrammedObservation[] = [];
    const next = new Map<string, Pending>();
    for (const u of updates) {
      if (u.kind !== "Gateway") continue;
      const key = `${u.namespace}/${u.name}`;
      const controller = controllerOf(key);
      if (!controller) continue;
      const conds = Array.isArray(u.status["conditions"]) ? (u.status["conditions"] as { type?: unknown; status?: unknown }[]) : [];
      const programmed = conds.some((c) => c?.type === "Programmed" && c.status === "True");
      const generation = typeof u.generation === "number" ? u.generation : 0;
      const prev = this.pending.get(key);
      if (programmed) {
        if (prev && prev.generation <= generation) out.push({ controller, seconds: Math.max(0, (nowMs - prev.since) / 1000) });
        continue;
      }
      next.set(key, prev && prev.generation === generation ? prev : { generation, since: nowMs, controller });
    }
    this.pending = next;
    return out;
  }

  /** Gateways not programmed, and the age of the oldest, per controller. */
  waiting(nowMs: number): Map<string, { count: number; oldestSeconds: number }> {
    const out = new Map<string, { count: number; oldestSeconds: number }>();
    for (const p of this.pending.values()) {
      const w = out.get(p.controller) ?? { count: 0, oldestSeconds: 0 };
      w.count++;
      w.oldestSeconds = Math.max(w.oldestSeconds, (nowMs - p.since) / 1000);
      out.set(p.controller, w);
    }
    return out;
  }
}
