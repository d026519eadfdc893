/**
 * How fast is the bundled local embedder? Run with `node --import tsx bench/embedding.ts
 * [--workers N] [--burst-workers N]` (default: the embedder's defaults, one worker, no burst).
 *
 * Prints, after a warm-up: per-text latency of single queries (distinct texts, so the query cache
 * never answers), of 8 concurrent single queries, the cost of a repeated query, throughput for
 * batches of 500 messages, the longest event-loop stall seen during that import, RSS after loading
 * and at the end, and the core count. Figures only; nothing is asserted.
 */
import os from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createLocalEmbedder, type LocalEmbedderOptions } from "../src/embed/local.js";
import { seededRandom as random } from "./lib/corpus.js";

const SINGLE_QUERIES = 200;
const CONCURRENT_ROUNDS = 25;
const CONCURRENCY = 8;
const BATCH_SIZE = 500;
const BATCHES = 3;
/** Longer than the time after which an idle burst worker (`--burst-workers`) is stopped (10 s by default). */
const IDLE_WAIT_MS = 12_000;

const SUBJECTS = ["I", "My sister", "The user", "Our team", "My manager", "We", "Tom", "Alice", "My dog", "Grandma"];
const VERBS = ["likes", "visited", "booked", "cancelled", "wants to try", "is allergic to", "forgot about", "recommended", "moved to", "is learning"];
const OBJECTS = [
  "hiking in the Alps",
  "a sushi place downtown",
  "the quarterly report",
  "peanuts",
  "Lisbon",
  "the piano",
  "a flight to Tokyo",
  "vegan recipes",
  "the new laptop",
  "a dentist appointment",
  "Spanish lessons",
  "the marathon in October",
  "a red bicycle",
  "coffee without sugar",
  "the budget meeting",
  "jazz concerts",
];
const TAILS = [
  "",
  " last week",
  " on Tuesday",
  " because it was raining",
  " with friends",
  " after work",
  " and it went well",
  " for the third time",
  " next month",
  " but changed their mind",
];
const QUESTIONS = ["What does", "Where did", "When does", "Why did", "How often does", "Who"];

function sentence(next: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  return `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)}${pick(TAILS)}.`;
}

function query(next: () => number, i: number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  return `${pick(QUESTIONS)} ${pick(SUBJECTS).toLowerCase()} say about ${pick(OBJECTS)} (${i})?`;
}

/** A chat message: one to four sentences, ~40–250 characters. */
function message(next: () => number): string {
  const count = 1 + Math.floor(next() * 4);
  return Array.from({ length: count }, () => sentence(next)).join(" ");
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function poolOptions(): LocalEmbedderOptions {
  const { values } = parseArgs({ options: { workers: { type: "string" }, "burst-workers": { type: "string" } } });
  const count = (flag: string, value: string | undefined, min: number) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min) throw new Error(`--${flag} must be an integer ≥ ${min}, got ${value}`);
    return number;
  };
  const options: LocalEmbedderOptions = {};
  if (values.workers !== undefined) options.workers = count("workers", values.workers, 1);
  if (values["burst-workers"] !== undefined) options.burstWorkers = count("burst-workers", values["burst-workers"], 0);
  return options;
}

async function main(): Promise<void> {
  const options = poolOptions();
  const next = random(42);
  const rssBefore = process.memoryUsage().rss;
  const loadStart = performance.now();
  const embedder = await createLocalEmbedder(options);
  const loadMs = performance.now() - loadStart;
  const rssLoaded = process.memoryUsage().rss;

  // Warm-up: the first calls compile kernels and grow the WebAssembly heap. (Kept below the size
  // that starts a burst worker, so that the query figures below are those of the resting state.)
  for (let i = 0; i < 20; i++) await embedder.embed([`warm-up query number ${i} about ${sentence(next)}`]);
  await embedder.embed(Array.from({ length: 64 }, () => message(next)));

  // Single queries, one at a time.
  const single: number[] = [];
  for (let i = 0; i < SINGLE_QUERIES; i++) {
    const text = query(next, i);
    const start = performance.now();
    await embedder.embed([text]);
    single.push(performance.now() - start);
  }
  single.sort((a, b) => a - b);

  // A repeated query (the query cache, when there is one).
  const repeatedText = query(next, -1);
  await embedder.embed([repeatedText]);
  const repeated: number[] = [];
  for (let i = 0; i < 50; i++) {
    const start = performance.now();
    await embedder.embed([repeatedText]);
    repeated.push(performance.now() - start);
  }
  repeated.sort((a, b) => a - b);

  // 8 single queries arriving at once: the latency each caller sees, and the wall time of the round.
  const concurrentEach: number[] = [];
  const concurrentWall: number[] = [];
  for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
    const texts = Array.from({ length: CONCURRENCY }, (_, i) => query(next, 1000 + round * CONCURRENCY + i));
    const start = performance.now();
    await Promise.all(
      texts.map(async (text) => {
        await embedder.embed([text]);
        concurrentEach.push(performance.now() - start);
      }),
    );
    concurrentWall.push(performance.now() - start);
  }
  concurrentEach.sort((a, b) => a - b);
  concurrentWall.sort((a, b) => a - b);

  // Batches of 500 messages, as an import sends them; watch how long the event loop stalls.
  const batches = Array.from({ length: BATCHES }, () => Array.from({ length: BATCH_SIZE }, () => message(next)));
  const averageChars = batches.flat().reduce((sum, text) => sum + text.length, 0) / (BATCHES * BATCH_SIZE);
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const batchStart = performance.now();
  for (const batch of batches) await embedder.embed(batch);
  const batchSeconds = (performance.now() - batchStart) / 1000;
  loopDelay.disable();

  // A single query while a batch of 500 is being embedded: what a search sees during an import.
  const background = embedder.embed(Array.from({ length: BATCH_SIZE }, () => message(next)));
  const duringImport: number[] = [];
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const start = performance.now();
    await embedder.embed([query(next, 5000 + i)]);
    duringImport.push(performance.now() - start);
  }
  await background;
  duringImport.sort((a, b) => a - b);

  const rssEnd = process.memoryUsage().rss;
  const stats = embedder.stats();
  // Idle again: a worker added for the import is stopped after a while.
  const bursts = (options.burstWorkers ?? 0) > 0;
  if (bursts) await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
  const rssIdle = process.memoryUsage().rss;
  const statsIdle = embedder.stats();
  await embedder.close();

  console.log(`local embedder ${embedder.name} (${embedder.dimension}-d), options ${JSON.stringify(options)}, node ${process.version}`);
  console.log(`cores (os.availableParallelism): ${os.availableParallelism()}`);
  console.log(
    `load: ${ms(loadMs)}; RSS before load ${mb(rssBefore)}, after load ${mb(rssLoaded)}, after the imports ${mb(rssEnd)}` +
      (bursts ? `, idle ${IDLE_WAIT_MS / 1000} s later ${mb(rssIdle)}` : ""),
  );
  console.log(
    `model calls ${stats.modelCalls} for ${stats.windowsEmbedded} windows; burst workers started ${stats.burstsStarted}; ` +
      `workers running after the imports ${stats.workersRunning}` +
      (bursts ? `, when idle ${statsIdle.workersRunning}` : ""),
  );
  console.log(
    `single query (${SINGLE_QUERIES} distinct): p50 ${ms(percentile(single, 50))}, p95 ${ms(percentile(single, 95))}, ` + `max ${ms(single.at(-1) ?? NaN)}`,
  );
  console.log(`repeated query: p50 ${ms(percentile(repeated, 50))}, p95 ${ms(percentile(repeated, 95))}`);
  console.log(
    `${CONCURRENCY} concurrent queries (${CONCURRENT_ROUNDS} rounds): per-caller p50 ${ms(percentile(concurrentEach, 50))}, ` +
      `p95 ${ms(percentile(concurrentEach, 95))}; round wall p50 ${ms(percentile(concurrentWall, 50))} ` +
      `(${ms(percentile(concurrentWall, 50) / CONCURRENCY)} per text)`,
  );
  console.log(
    `batches of ${BATCH_SIZE} (avg ${averageChars.toFixed(0)} chars): ${((BATCHES * BATCH_SIZE) / batchSeconds).toFixed(0)} texts/s; ` +
      `longest event-loop stall ${ms(loopDelay.max / 1e6)}`,
  );
  console.log(`single query during a ${BATCH_SIZE}-text import: p50 ${ms(percentile(duringImport, 50))}, ` + `max ${ms(duringImport.at(-1) ?? NaN)}`);
}

await main();
