// Gateway API Duration (GEP-2257): 1 to 4 `<1-5 digits><unit>` groups, unit h|m|s|ms.
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const PART = /([0-9]{1,5})(ms|h|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds, or undefined when `v` is not a valid Gateway API duration. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v !== "string" || !DURATION.test(v)) return undefined;
  let ms = 0;
  for (const m of v.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}
