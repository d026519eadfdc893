/** Read rules shared by both stores. */

/** The keys a lookup by key matches: trimmed, case-folded, distinct, none empty. */
export function keysToMatch(keys: readonly string[]): string[] {
  return [...new Set(keys.map((key) => key.trim().toLowerCase()).filter(Boolean))];
}

/** Records in the order their ids were asked for; ids not found are left out. */
export function inRequestedOrder<T extends { id: string }>(ids: readonly string[], records: readonly T[]): T[] {
  const byId = new Map(records.map((record) => [record.id, record]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
