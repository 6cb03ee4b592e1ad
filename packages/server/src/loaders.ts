/** Shaping a DataLoader batch's rows back into the order of its keys. */

/** One row (or null) per key. */
export function byKey<K, V>(keys: readonly K[], rows: V[], key: (row: V) => K): (V | null)[] {
  const map = new Map(rows.map((row) => [key(row), row]));
  return keys.map((k) => map.get(k) ?? null);
}

/** The rows of each key (empty when none), in the rows' order. */
export function groupBy<K, V>(keys: readonly K[], rows: V[], key: (row: V) => K): V[][] {
  const map = new Map<K, V[]>(keys.map((k) => [k, []]));
  for (const row of rows) map.get(key(row))?.push(row);
  return keys.map((k) => map.get(k)!);
}
