// Gateway API Durations (GEP-2257): one to four `<1-5 digits><h|m|s|ms>` components.

const FORMAT = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const COMPONENT = /([0-9]{1,5})(ms|h|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds, or undefined when `s` is not a GEP-2257 Duration. */
export function parseDuration(s: string): number | undefined {
  if (!FORMAT.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(COMPONENT)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

/** Milliseconds as a Duration string, greatest unit first ("1h30m", "500ms", "0s"). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  let rest = Math.floor(ms);
  let out = "";
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1000], ["ms", 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
