// A kind's snapshot array, kept sorted by key (`namespace/name`, code-unit order, as
// normalizeSnapshot sorts) and patched per changed key instead of re-sorted: one route
// changed among 10k costs a copy and a binary search, not a 10k-element sort.

export interface SortedList<T> {
  keys: string[];
  values: T[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sortedFrom<T>(entries: Iterable<[string, T]>): SortedList<T> {
  const all = [...entries].sort((a, b) => cmp(a[0], b[0]));
  return { keys: all.map((e) => e[0]), values: all.map((e) => e[1]) };
}

/** Index of `key`, or -(insertion point) - 1. */
function search(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmp(keys[mid]!, key);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/**
 * A new list (the input is not modified: earlier snapshots keep their arrays) with each
 * changed key set to `current(key)`: replaced, inserted, or removed when undefined.
 */
export function patched<T>(list: SortedList<T>, changed: Iterable<string>, current: (key: string) => T | undefined): SortedList<T> {
  const keys = list.keys.slice();
  const values = list.values.slice();
  for (const key of changed) {
    const v = current(key);
    const i = search(keys, key);
    if (i >= 0) {
      if (v === undefined) {
        keys.splice(i, 1);
        values.splice(i, 1);
      } else values[i] = v;
    } else if (v !== undefined) {
      const at = -i - 1;
      keys.splice(at, 0, key);
      values.splice(at, 0, v);
    }
  }
  return { keys, values };
}
