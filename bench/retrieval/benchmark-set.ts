/** The whole benchmark: generated and hand-written questions, each in its tuning or held-out part. */
import { checkLabels, type BenchSet } from "./dataset.js";
import { generate } from "./generator.js";
import { buildHandwritten } from "./handwritten-format.js";
import { FRESH_CONVERSATIONS } from "./handwritten-fresh.js";
import { FRESH2_CONVERSATIONS } from "./handwritten-fresh2.js";
import { HELDOUT_CONVERSATIONS } from "./handwritten-heldout.js";
import { TUNING_CONVERSATIONS } from "./handwritten.js";

/** Seeds are fixed: the held-out part (seed 2, handwritten-heldout.ts) is never tuned on. */
export const TUNING_SEED = 1;
export const HELDOUT_SEED = 2;

export function benchmarkSet(quick: boolean): BenchSet {
  const parts: BenchSet[] = [
    generate({ seed: TUNING_SEED, part: "tuning", english: quick ? 4 : 12, chinese: quick ? 1 : 3 }),
    generate({ seed: HELDOUT_SEED, part: "heldout", english: quick ? 2 : 5, chinese: quick ? 1 : 2 }),
    buildHandwritten(TUNING_CONVERSATIONS, "tuning", 11),
    buildHandwritten(HELDOUT_CONVERSATIONS, "heldout", 12),
    buildHandwritten(FRESH_CONVERSATIONS, "fresh", 13),
    buildHandwritten(FRESH2_CONVERSATIONS, "fresh2", 14),
  ];
  const set: BenchSet = { conversations: parts.flatMap((part) => part.conversations), questions: parts.flatMap((part) => part.questions) };
  const problems = checkLabels(set);
  if (problems.length > 0) throw new Error(`the benchmark's labels are broken:\n${problems.join("\n")}`);
  return set;
}
