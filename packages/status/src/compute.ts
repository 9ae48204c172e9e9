import type { StatusInput, StatusUpdate } from "./types.js";

// STUB: replaced by the status work.
export function computeStatuses(_input: StatusInput): StatusUpdate[] {
  return [];
}
