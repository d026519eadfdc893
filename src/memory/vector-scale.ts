import type { Embedder } from "../embed/embedder.js";

/**
 * How an embedder's cosine similarities become relevance: `floor` is what it gives texts that have
 * nothing to do with each other, `floor + span` what it gives two wordings of one statement. Each
 * model has its own spread (the bundled encoder puts unrelated sentences near 0.1–0.2, other
 * models near 0.5 or near 0), so these are measured on the model itself: a threshold then means
 * the same thing whatever the embedder.
 */
export interface VectorScale {
  floor: number;
  span: number;
}

/** The bundled encoder's scale as measured before calibration existed; used until a measurement is in. */
export const DEFAULT_VECTOR_SCALE: VectorScale = { floor: 0.2, span: 0.7 };

// Calibration texts: everyday statements on unrelated matters, and pairs that say one thing in two
// ways. They are measuring sticks, written for this purpose only; no benchmark text is among them.
const UNRELATED = [
  "The train to the coast leaves at seven.",
  "She repaired the bicycle chain herself.",
  "Interest rates went up again this quarter.",
  "Our cat sleeps on the radiator all winter.",
  "The museum opens a new wing in April.",
  "He forgot his umbrella at the office.",
  "The soup needs more salt.",
  "The printer is out of toner.",
  "They planted tomatoes along the fence.",
  "The match was cancelled because of snow.",
  "My phone battery drains too fast.",
  "The library fines were waived this year.",
  "A storm knocked down two trees on our street.",
  "The violin lessons start next week.",
  "The invoice was paid on Friday.",
  "The hotel pool closes at nine.",
];
const PARAPHRASES: [string, string][] = [
  ["I moved to a new flat last month.", "Last month I changed apartments."],
  ["The meeting was pushed to Thursday.", "They moved the meeting to Thursday."],
  ["My brother works as a nurse.", "My brother is a nurse by profession."],
  ["We are going camping this weekend.", "This weekend we will go camping."],
  ["I don't drink coffee after noon.", "I avoid coffee in the afternoon."],
  ["The car broke down on the motorway.", "Our car failed on the highway."],
  ["She started learning Spanish in May.", "In May she began taking Spanish lessons."],
  ["The flight was delayed by three hours.", "Our plane left three hours late."],
];

/**
 * Where the floor sits among unrelated pairs: their median, so that a typical unrelated text scores
 * 0. (On the bundled encoder this gives 0.19 and a span of 0.70, the constants it was tuned with.)
 */
const FLOOR_QUANTILE = 0.5;

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index += 1) sum += (a[index] ?? 0) * (b[index] ?? 0);
  return sum;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? 0;
}

/**
 * The scale of an embedder, from its own similarities on the calibration texts: the floor at the
 * median unrelated pair, the span up to the median paraphrase pair. One embedding call.
 */
export async function measureVectorScale(embedder: Embedder): Promise<VectorScale> {
  const texts = [...UNRELATED, ...PARAPHRASES.flat()];
  const vectors = await embedder.embed(texts);
  const unrelated: number[] = [];
  for (let a = 0; a < UNRELATED.length; a += 1) {
    for (let b = a + 1; b < UNRELATED.length; b += 1) unrelated.push(dot(vectors[a] as Float32Array, vectors[b] as Float32Array));
  }
  const paraphrase = PARAPHRASES.map((_, index) => {
    const first = vectors[UNRELATED.length + index * 2] as Float32Array;
    return dot(first, vectors[UNRELATED.length + index * 2 + 1] as Float32Array);
  });
  const floor = quantile(unrelated, FLOOR_QUANTILE);
  const top = quantile(paraphrase, 0.5);
  // A model that cannot tell paraphrases from unrelated text gets the default rather than a scale of noise.
  if (!(top - floor > 0.05)) return DEFAULT_VECTOR_SCALE;
  return { floor, span: top - floor };
}

const measured = new WeakMap<Embedder, Promise<VectorScale>>();

/**
 * The embedder's scale, measured once per process on first use (the first search waits for that
 * one call). When the measurement fails (a remote embedder is down), the default is used and the
 * next search tries again.
 */
export function vectorScaleOf(embedder: Embedder): Promise<VectorScale> {
  const known = measured.get(embedder);
  if (known) return known;
  const measuring = measureVectorScale(embedder).catch(() => {
    measured.delete(embedder);
    return DEFAULT_VECTOR_SCALE;
  });
  measured.set(embedder, measuring);
  return measuring;
}
