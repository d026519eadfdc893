/** How much of a question's evidence a ranked list of memories puts within a budget of characters. */

export interface RankedMemory {
  text: string;
  messageIds: string[];
}

/** Memories are read as they would be pasted into a prompt: in rank order, one per line. */
export function evidenceWithin(ranked: readonly RankedMemory[], evidence: readonly string[], budget: number): number {
  const found = new Set<string>();
  let used = 0;
  for (const memory of ranked) {
    used += memory.text.length + 1;
    if (used > budget + 1) break;
    for (const id of memory.messageIds) found.add(id);
  }
  return evidence.length === 0 ? 0 : evidence.filter((id) => found.has(id)).length / evidence.length;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
