// A short, readable description of where two golden texts differ: ava's own diff of two long
// strings prints the whole file, which hides the one line that changed.

/** undefined when equal; otherwise every differing hunk (up to `maxHunks`), with 2 lines of context. */
export function describeDifference(actual: string, expected: string, maxHunks = 5): string | undefined {
  if (actual === expected) return undefined;
  const a = actual.split("\n");
  const e = expected.split("\n");
  const out: string[] = [];
  let hunks = 0;
  let i = 0;
  let j = 0;
  while ((i < a.length || j < e.length) && hunks < maxHunks) {
    if (a[i] === e[j]) { i++; j++; continue; }
    // Resynchronise on the nearest line present in both (small windows keep this cheap).
    let di = 0;
    let dj = 0;
    search: for (let d = 1; d <= 40; d++) {
      for (let k = 0; k <= d; k++) {
        if (i + k < a.length && j + d - k < e.length && a[i + k] === e[j + d - k]) { di = k; dj = d - k; break search; }
      }
    }
    if (di === 0 && dj === 0) { di = a.length - i; dj = e.length - j; }
    hunks++;
    out.push(`@@ expected line ${j + 1}, actual line ${i + 1}`);
    for (let c = Math.max(0, j - 2); c < j; c++) out.push(`  ${e[c]}`);
    for (let c = j; c < j + dj; c++) out.push(`- ${e[c]}`);
    for (let c = i; c < i + di; c++) out.push(`+ ${a[c]}`);
    i += di;
    j += dj;
  }
  if (hunks >= maxHunks) out.push("… (more differences)");
  return out.join("\n");
}
