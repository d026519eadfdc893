import { encodeInfo } from "../store/info-json.js";
import type { MemoryRecord } from "../store/types.js";

/**
 * Most bytes of memories one answer (a listing, a search) holds, counted as they are shown: their
 * text, sources, tags and info. A memory's text and its info can each be megabytes, and the info of
 * an add is shown on every memory it made: without a bound, one answer could hold the heap.
 */
export const ANSWER_BYTES = 16 * 1024 ** 2;

/** Fixed weight of a memory as shown (ids, times, field names), beyond its texts. */
const SHOWN_OVERHEAD = 512;

export function shownBytes(memory: MemoryRecord): number {
  const utf8 = (text: string) => Buffer.byteLength(text, "utf8");
  const texts = [memory.text, memory.key, memory.background, ...memory.tags, ...memory.sources.map((source) => source.content)];
  return SHOWN_OVERHEAD + texts.reduce((sum, text) => sum + utf8(text), 0) + (encodeInfo(memory.info)?.bytes ?? 0);
}

/** What is left of an answer's byte budget as memories are put in it, in order. */
export class AnswerBudget {
  private left: number;
  private taken = 0;

  constructor(bytes = ANSWER_BYTES) {
    this.left = bytes;
  }

  /**
   * The leading items that fit, and whether some were left out. The first item of an answer is
   * always kept, so that asking for one memory at a time always gets through.
   */
  take<T>(items: readonly T[], memoryOf: (item: T) => MemoryRecord): { kept: T[]; truncated: boolean } {
    const kept: T[] = [];
    for (const item of items) {
      const bytes = shownBytes(memoryOf(item));
      if (this.taken > 0 && bytes > this.left) return { kept, truncated: true };
      kept.push(item);
      this.taken += 1;
      this.left -= bytes;
    }
    return { kept, truncated: false };
  }

  get spent(): boolean {
    return this.taken > 0 && this.left <= 0;
  }
}
