// --leader-elect=false: this process always leads (a single replica, or tests).
import { injectable } from "inversify";
import type { LeaderElector } from "../ports.js";

@injectable()
export class AlwaysLeader implements LeaderElector {
  start(): void {}
  isLeader(): boolean { return true; }
  onChange(): void {}
  async stop(): Promise<void> {}
}
