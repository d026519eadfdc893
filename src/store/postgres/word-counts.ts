/**
 * Word counts of large cubes, reused for a while. Counting how many memories hold a common word
 * visits every one of them (tens of thousands in a large cube, on every search); the counts only
 * weigh words against each other, so in a cube that large a count a minute old weighs the same.
 * Small cubes are always counted afresh: there a single write does change the weights.
 */
export const LARGE_CUBE = 20_000;
const FRESH_MS = 60_000;
const CAPACITY = 100_000;

export class WordCounts {
  private readonly counts = new Map<string, { count: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The count of memories holding `word`, or of all the cube's memories when no word is given. */
  get(cubeId: string, word?: string): number | undefined {
    const key = JSON.stringify(word === undefined ? [cubeId] : [cubeId, word]);
    const entry = this.counts.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > FRESH_MS) {
      this.counts.delete(key);
      return undefined;
    }
    return entry.count;
  }

  set(cubeId: string, word: string | undefined, count: number): void {
    const key = JSON.stringify(word === undefined ? [cubeId] : [cubeId, word]);
    this.counts.delete(key);
    this.counts.set(key, { count, at: this.now() });
    // Oldest first (insertion order): dropping from the front keeps the newest counts.
    for (const oldest of this.counts.keys()) {
      if (this.counts.size <= CAPACITY) break;
      this.counts.delete(oldest);
    }
  }
}
