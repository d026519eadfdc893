/**
 * memcube's performance benchmark (`npm run bench`). Prints figures; never asserts them.
 *
 *   npm run bench                 # full run: 20,000 memories over HTTP, 100,000 for memory use
 *   npm run bench -- --quick      # smaller sizes, for a quick look
 *   npm run bench -- --total 200000 [--store postgres]   # the last phase at 200,000 memories
 *
 *   npm run bench -- --corpus real-chat   # one corpus only (default: both, side by side)
 *   npm run bench -- --quick --memories 500 --total 2000   # a smoke run of every phase
 *
 * Figures: ingest rate (HTTP, fast mode, batches of 500), search latency (HTTP, query embedding
 * included) at 20,000 memories in one cube, both on two corpora side by side: `synthetic` (short
 * templated sentences) and `real-chat` (turns of real dialogue, ~23 words; bench/corpora/sgd), with
 * the server's CPU time per message and per search (steadier than wall time on a busy machine); the time to first token memcube adds on top of the
 * model's own (a fake OpenAI-compatible model with a fixed delay), and the server's resident memory
 * with 100,000 memories (the last 80,000 inserted at store level with synthetic vectors, to save time).
 * Results are kept in bench/results/*.json and compared with the previous run.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { wordsOf } from "../src/memory/words.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import type { MessageRecord, NewMemory } from "../src/store/types.js";
import { startFakeOpenAI } from "../test/support/fake-openai.js";
import { realChatCorpus, statistics, syntheticCorpus, type Corpus, type CorpusStatistics } from "./lib/chat-corpus.js";
import { messages, questions, seededRandom } from "./lib/corpus.js";
import { cpuDuring } from "./lib/cpu.js";
import { postJson, startServerProcess, type ServerProcess } from "../test/support/process.js";
import { acrossRuns, round, summarise, type Summary } from "./lib/stats.js";
import { benchStore } from "./lib/store.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    store: { type: "string", default: "sqlite" },
    total: { type: "string" },
    corpus: { type: "string", default: "both" },
    memories: { type: "string" },
  },
});
if (!["both", "synthetic", "real-chat"].includes(flags.corpus)) throw new Error(`--corpus must be both, synthetic or real-chat, not ${flags.corpus}`);
/** `--store postgres`: servers on PostgreSQL (DATABASE_URL); SQLite-only parts are skipped. */
const backend = await benchStore(flags.store);
const DEFAULT_SIZES = flags.quick
  ? { memories: 4_000, total: 20_000, queries: 50, runs: 2, chats: 15 }
  : { memories: 20_000, total: 100_000, queries: 100, runs: 3, chats: 30 };
/** `--total 200000`: the size of the last phase (memory use and search at scale); `--memories N`: of the others. */
const SIZES = {
  ...DEFAULT_SIZES,
  total: flags.total ? Number(flags.total) : DEFAULT_SIZES.total,
  memories: flags.memories ? Number(flags.memories) : DEFAULT_SIZES.memories,
};
const BATCH = 500;
const CUBE = "bench";
const MODEL_DELAY_MS = 50;
/** Scores this close are the same vector (the compact copies are exact to about 1e-4). */
const TIE = 5e-4;

const log = (line: string) => process.stdout.write(`${line}\n`);
const format = (summary: Summary) => `p50 ${summary.p50} ms  p95 ${summary.p95} ms  (min ${summary.min}, max ${summary.max}, n ${summary.n})`;

interface IngestFigures {
  messagesPerSecond: number;
  batch: Summary;
  /** The server's CPU time (all threads) per 1,000 messages ingested. */
  cpuMsPer1000?: number;
}

async function ingest(server: ServerProcess, source: Corpus, cube: string): Promise<IngestFigures> {
  const corpus = source.messages(SIZES.memories, 7);
  const batchMs: number[] = [];
  const started = performance.now();
  const { cpuMs } = await cpuDuring(server.pid, () => ingestBatches(server, corpus, cube, batchMs));
  const seconds = (performance.now() - started) / 1000;
  // The cube's HNSW index builds in the background once the cube is large; let it finish.
  if (backend.name === "sqlite") await new Promise((resolve) => setTimeout(resolve, 10_000));
  return {
    messagesPerSecond: round(corpus.length / seconds, 1),
    batch: summarise(batchMs),
    ...(cpuMs === undefined ? {} : { cpuMsPer1000: round((cpuMs / corpus.length) * 1000, 0) }),
  };
}

async function ingestBatches(server: ServerProcess, corpus: { role: string; content: string }[], cube: string, batchMs: number[]): Promise<void> {
  for (let offset = 0; offset < corpus.length; offset += BATCH) {
    const batch = corpus.slice(offset, offset + BATCH).map((message, index) => ({
      ...message,
      message_id: `m-${offset + index}`,
      chat_time: new Date(Date.UTC(2026, 0, 1) + (offset + index) * 60_000).toISOString(),
    }));
    const t = performance.now();
    const response = await postJson(`${server.url}/product/add`, { user_id: cube, session_id: `s-${offset / BATCH}`, messages: batch });
    if (response.status !== 200) throw new Error(`add failed: ${JSON.stringify(response.json)}`);
    batchMs.push(performance.now() - t);
    if ((offset / BATCH) % 8 === 7) log(`  … ${offset + BATCH} messages`);
  }
}

interface SearchFigures {
  runs: Summary[];
  /** The server's CPU time (all threads) per search, over every run. */
  cpuMsPerSearch?: number;
}

async function searchRuns(server: ServerProcess, corpus: Corpus, cube: string): Promise<SearchFigures> {
  const runs: Summary[] = [];
  const warmUp = corpus.questions(20, 99);
  for (const query of warmUp) await postJson(`${server.url}/product/search`, { user_id: cube, query });
  const { cpuMs } = await cpuDuring(server.pid, async () => {
    for (let run = 0; run < SIZES.runs; run += 1) {
      const samples: number[] = [];
      // Distinct queries every run, so the query-embedding cache does not flatter the figures.
      for (const query of corpus.questions(SIZES.queries, 1000 + run)) {
        const t = performance.now();
        const response = await postJson(`${server.url}/product/search`, { user_id: cube, query, top_k: 10 });
        samples.push(performance.now() - t);
        if (response.status !== 200) throw new Error(`search failed: ${JSON.stringify(response.json)}`);
      }
      runs.push(summarise(samples));
    }
  });
  return { runs, ...(cpuMs === undefined ? {} : { cpuMsPerSearch: round(cpuMs / (SIZES.runs * SIZES.queries), 2) }) };
}

interface CorpusFigures {
  corpus: Corpus["name"];
  messages: CorpusStatistics;
  questions: CorpusStatistics;
  ingest: IngestFigures;
  search: SearchFigures & { spread: ReturnType<typeof acrossRuns>; rssMb: number };
}

/** Ingest and search on one corpus, in a data folder of its own (kept for the later phases). */
async function corpusPhase(corpus: Corpus, dataDir: string, cube: string): Promise<CorpusFigures> {
  const messageStats = statistics(corpus.messages(SIZES.memories, 7).map((message) => message.content));
  const questionStats = statistics(realOrSyntheticQuestions(corpus));
  log(`\ncorpus ${corpus.name} (${corpus.description})`);
  log(`  messages: ${messageStats.texts}, mean ${messageStats.meanWords} words / ${messageStats.meanChars} chars, vocabulary ${messageStats.vocabulary} words`);
  log(
    `  questions: ${questionStats.texts}, mean ${questionStats.meanWords} words / ${questionStats.meanChars} chars, vocabulary ${questionStats.vocabulary} words`,
  );
  const server = await startServerProcess({ MEMCUBE_DATA_DIR: dataDir, ...backend.env });
  try {
    log(`ingest (${corpus.name}): ${SIZES.memories} messages over HTTP, batches of ${BATCH} (fast mode, local embedder)`);
    const ingested = await ingest(server, corpus, cube);
    const cpu = ingested.cpuMsPer1000 === undefined ? "" : `; server CPU ${ingested.cpuMsPer1000} ms per 1,000 messages`;
    log(`  ${ingested.messagesPerSecond} messages/s; per batch ${format(ingested.batch)}${cpu}; server RSS ${server.rssMb()} MB`);

    log(
      `search (${corpus.name}): ${SIZES.memories} memories in one cube, ${SIZES.queries} distinct queries × ${SIZES.runs} runs (HTTP, query embedding included)`,
    );
    const search = await searchRuns(server, corpus, cube);
    search.runs.forEach((run, index) => log(`  run ${index + 1}: ${format(run)}`));
    const spread = acrossRuns(search.runs);
    const searchCpu = search.cpuMsPerSearch === undefined ? "" : `; server CPU ${search.cpuMsPerSearch} ms per search`;
    log(`  across runs: p50 ${spread.p50.min}–${spread.p50.max} ms, p95 ${spread.p95.min}–${spread.p95.max} ms${searchCpu}`);
    return { corpus: corpus.name, messages: messageStats, questions: questionStats, ingest: ingested, search: { ...search, spread, rssMb: server.rssMb() } };
  } finally {
    await server.stop();
  }
}

/** The questions the search phase asks, for their statistics (a fresh corpus, so as not to use any up). */
function realOrSyntheticQuestions(corpus: Corpus): string[] {
  if (corpus.name === "synthetic") return Array.from({ length: SIZES.runs }, (_, run) => corpus.questions(SIZES.queries, 1000 + run)).flat();
  return realChatCorpus().questions(SIZES.runs * SIZES.queries + 20, 0);
}

/** Time from sending a request to the first `text` frame (or first content chunk) arriving. */
async function firstTextMs(url: string, body: unknown, marker: RegExp): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = "";
  let first: number | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (first === undefined && marker.test(seen)) first = performance.now() - started;
  }
  if (first === undefined) throw new Error(`no ${marker} in ${seen.slice(0, 300)}`);
  return first;
}

async function chatOverhead(dataDir: string): Promise<{ runs: Summary[]; model: Summary }> {
  const llm = await startFakeOpenAI({ delayMs: MODEL_DELAY_MS, text: "Sure, here is what I remember about that.", chunkSize: 8 });
  const server = await startServerProcess({
    MEMCUBE_DATA_DIR: dataDir,
    ...backend.env,
    CHAT_MODEL_LIST: JSON.stringify([{ backend: "openai", api_base: llm.url, api_key: "sk-bench", model_name_or_path: "bench-model" }]),
  });
  try {
    const modelSamples: number[] = [];
    const direct = { model: "bench-model", stream: true, messages: [{ role: "user", content: "hi" }] };
    for (let index = 0; index < 10; index += 1) modelSamples.push(await firstTextMs(`${llm.url}/chat/completions`, direct, /"content":"[^"]/));
    const model = summarise(modelSamples);
    // Warm-up: the first chat loads the prompt tokenizer.
    for (const query of questions(5, 2999)) {
      await firstTextMs(`${server.url}/product/chat/stream`, { user_id: CUBE, query, add_message_on_answer: false }, /"type":"text"/);
    }
    const runs: Summary[] = [];
    for (let run = 0; run < SIZES.runs; run += 1) {
      const samples: number[] = [];
      for (const query of questions(SIZES.chats, 3000 + run)) {
        const ttft = await firstTextMs(`${server.url}/product/chat/stream`, { user_id: CUBE, query, add_message_on_answer: false }, /"type":"text"/);
        samples.push(ttft - model.p50);
      }
      runs.push(summarise(samples));
    }
    return { runs, model };
  } finally {
    await server.stop();
    await llm.close();
  }
}

/** Store-level fill with synthetic unit vectors: reaches 100,000 memories in seconds, not minutes. */
async function fillSynthetic(dataDir: string, from: number, to: number): Promise<void> {
  const store = await backend.open(dataDir);
  const random = seededRandom(42);
  const texts = messages(5_000, 11);
  const now = new Date().toISOString();
  for (let offset = from; offset < to; offset += 1000) {
    const entries: { message: MessageRecord; memory: NewMemory }[] = [];
    for (let index = offset; index < Math.min(offset + 1000, to); index += 1) {
      const source = texts[index % texts.length] as { role: "user" | "assistant"; content: string };
      const text = `${source.content} #${index}`;
      const vector = new Float32Array(512).map(() => random() - 0.5);
      const norm = Math.hypot(...vector);
      for (let i = 0; i < vector.length; i += 1) vector[i] = (vector[i] as number) / norm;
      const messageId = `syn-${index}`;
      entries.push({
        message: { cubeId: CUBE, messageId, sessionId: "synthetic", role: source.role, content: text, chatTime: now, createdAt: now },
        memory: {
          id: crypto.randomUUID(),
          cubeId: CUBE,
          userId: CUBE,
          sessionId: "synthetic",
          text,
          memoryType: source.role === "user" ? "UserMemory" : "LongTermMemory",
          key: "",
          tags: [],
          confidence: 1,
          source: "conversation",
          background: "",
          info: {},
          chatTime: now,
          createdAt: now,
          updatedAt: now,
          sourceMessageIds: [messageId],
          vector,
          keywords: wordsOf(text).join(" "),
        },
      });
    }
    await store.addConversation({ userId: CUBE, now, entries });
  }
  // Build and save the index here, as a long-running server would have: the restarted server loads it.
  if (store instanceof SqliteStore) {
    await store.searchVectors({ cubeId: CUBE }, new Float32Array(512).fill(1 / Math.sqrt(512)), 1);
    await store.indexesSettled();
  }
  await store.close();
}

async function memoryAt100k(dataDir: string): Promise<{ rssMb: number; search: Summary }> {
  const started = performance.now();
  await backend.bulkLoad(() => fillSynthetic(dataDir, SIZES.memories, SIZES.total));
  log(`  filled ${SIZES.total - SIZES.memories} synthetic memories in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const server = await startServerProcess({ MEMCUBE_DATA_DIR: dataDir, ...backend.env });
  try {
    const samples: number[] = [];
    for (const query of questions(SIZES.queries, 5000)) {
      const t = performance.now();
      await postJson(`${server.url}/product/search`, { user_id: CUBE, query, top_k: 10 });
      samples.push(performance.now() - t);
    }
    return { rssMb: server.rssMb(), search: summarise(samples) };
  } finally {
    await server.stop();
  }
}

/**
 * Store level, on the real embeddings the ingest phase stored: how often the HNSW index's top 10
 * are the exact top 10, and what each costs.
 */
async function indexRecall(dataDir: string): Promise<{ recallAt10: number; exact: Summary; approximate: Summary }> {
  const { createEmbedder } = await import("../src/embed/index.js");
  const embedder = await createEmbedder({ backend: "local" });
  const store = new SqliteStore(path.join(dataDir, "memcube.db"));
  try {
    const queries = await embedder.embed(questions(100, 7000));
    const everything = { field: "memory_type" as const, op: "in" as const, value: ["UserMemory", "LongTermMemory", "WorkingMemory", "PreferenceMemory"] };
    await store.searchVectors({ cubeId: CUBE }, queries[0] as Float32Array, 10);
    await store.indexesSettled();
    const exactMs: number[] = [];
    const approximateMs: number[] = [];
    let found = 0;
    for (const query of queries) {
      let t = performance.now();
      const exact = await store.searchVectors({ cubeId: CUBE, filter: everything }, query, 10);
      exactMs.push(performance.now() - t);
      t = performance.now();
      const approximate = await store.searchVectors({ cubeId: CUBE }, query, 10);
      approximateMs.push(performance.now() - t);
      // Ties count as hits: the corpus repeats sentences, and among equal vectors any is right.
      const tenth = exact.at(-1)?.score ?? 1;
      const truth = new Set(exact.map((hit) => hit.id));
      found += approximate.filter((hit) => truth.has(hit.id) || hit.score >= tenth - TIE).length;
    }
    return { recallAt10: round(found / (queries.length * 10), 4), exact: summarise(exactMs), approximate: summarise(approximateMs) };
  } finally {
    await store.close();
    await embedder.close();
  }
}

/** The corpora's figures in columns: what the benchmark's own text flatters. */
function sideBySide(figures: readonly CorpusFigures[]): void {
  const rows: [string, (figure: CorpusFigures) => string][] = [
    ["mean words / chars per message", (f) => `${f.messages.meanWords} / ${f.messages.meanChars}`],
    ["vocabulary (messages)", (f) => String(f.messages.vocabulary)],
    ["mean words per question", (f) => String(f.questions.meanWords)],
    ["ingest messages/s", (f) => String(f.ingest.messagesPerSecond)],
    ["server CPU ms per 1,000 messages", (f) => String(f.ingest.cpuMsPer1000 ?? "–")],
    ["search p50 (runs) ms", (f) => `${f.search.spread.p50.min}–${f.search.spread.p50.max}`],
    ["search p95 (runs) ms", (f) => `${f.search.spread.p95.min}–${f.search.spread.p95.max}`],
    ["server CPU ms per search", (f) => String(f.search.cpuMsPerSearch ?? "–")],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  log(`\nside by side (${SIZES.memories} memories each):`);
  log(`  ${"".padEnd(width)}  ${figures.map((f) => f.corpus.padStart(14)).join("  ")}`);
  for (const [label, cell] of rows) log(`  ${label.padEnd(width)}  ${figures.map((f) => cell(f).padStart(14)).join("  ")}`);
}

function previousResult(folder: string): Record<string, unknown> | undefined {
  const files = readdirSync(folder)
    .filter((file) => file.endsWith(".json"))
    .sort();
  const last = files.at(-1);
  return last ? (JSON.parse(readFileSync(path.join(folder, last), "utf8")) as Record<string, unknown>) : undefined;
}

async function main(): Promise<void> {
  log(`memcube benchmark — ${availableParallelism()} cores, Node ${process.version}, store ${backend.name}${flags.quick ? ", quick sizes" : ""}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), "memcube-bench-"));
  try {
    // The first corpus's data serves the later phases (index recall, chat, memory at scale);
    // the other's is dropped once measured. Each has a cube of its own (one PostgreSQL schema).
    const corpora = flags.corpus === "both" ? [syntheticCorpus, realChatCorpus()] : [flags.corpus === "synthetic" ? syntheticCorpus : realChatCorpus()];
    const figures: CorpusFigures[] = [];
    for (const [position, corpus] of corpora.entries()) {
      const folder = position === 0 ? dataDir : mkdtempSync(path.join(tmpdir(), "memcube-bench-"));
      try {
        figures.push(await corpusPhase(corpus, folder, position === 0 ? CUBE : `${CUBE}-${corpus.name}`));
      } finally {
        if (position > 0) rmSync(folder, { recursive: true, force: true });
      }
    }
    const [primary] = figures as [CorpusFigures, ...CorpusFigures[]];
    if (figures.length > 1) sideBySide(figures);

    const index = backend.name === "sqlite" ? await indexRecall(dataDir) : undefined;
    if (index) {
      log(`\nvector index: HNSW (usearch, int8) against exact search, ${SIZES.memories} real embeddings, store level`);
      log(`  recall@10 ${index.recallAt10}; exact ${format(index.exact)}; HNSW ${format(index.approximate)}`);
    }

    log(`\nchat: time to first token memcube adds (fake model, ${MODEL_DELAY_MS} ms before each chunk), ${SIZES.memories} memories`);
    const chat = await chatOverhead(dataDir);
    log(`  the model alone: first token ${format(chat.model)}`);
    chat.runs.forEach((run, index) => log(`  run ${index + 1}: added ${format(run)}`));

    log(`\nmemory: ${SIZES.total} memories (${SIZES.total - SIZES.memories} with synthetic vectors, inserted at store level)`);
    const memory = await memoryAt100k(dataDir);
    log(`  server RSS ${memory.rssMb} MB after ${SIZES.queries} searches; search at ${SIZES.total}: ${format(memory.search)}`);

    const result = {
      date: new Date().toISOString(),
      cores: availableParallelism(),
      node: process.version,
      quick: flags.quick,
      store: backend.name,
      sizes: SIZES,
      corpus: primary.corpus,
      ingest: primary.ingest,
      search: primary.search,
      corpora: figures,
      index,
      chat,
      memory,
    };
    const folder = path.join(import.meta.dirname, "results");
    mkdirSync(folder, { recursive: true });
    const before = previousResult(folder);
    const file = path.join(folder, `${result.date.replaceAll(":", "-")}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`\nsaved ${path.relative(process.cwd(), file)}`);
    if (before) compare(before, result);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await backend.close();
  }
}

function compare(before: Record<string, unknown>, after: Record<string, unknown>): void {
  const pick = (result: Record<string, unknown>, keys: string[]) =>
    keys.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], result) as number | undefined;
  const rows: [string, string[]][] = [
    ["ingest messages/s", ["ingest", "messagesPerSecond"]],
    ["search p95 (run 1) ms", ["search", "runs", "0", "p95"]],
    ["real-chat ingest messages/s", ["corpora", "1", "ingest", "messagesPerSecond"]],
    ["real-chat search p95 (run 1) ms", ["corpora", "1", "search", "runs", "0", "p95"]],
    ["HNSW recall@10", ["index", "recallAt10"]],
    ["chat added p50 (run 1) ms", ["chat", "runs", "0", "p50"]],
    ["RSS at total MB", ["memory", "rssMb"]],
  ];
  const store = (result: Record<string, unknown>) => (typeof result.store === "string" ? result.store : "sqlite");
  const note = [before.quick !== after.quick ? "different sizes!" : "", store(before) !== store(after) ? `${store(before)} → ${store(after)}` : ""].filter(
    Boolean,
  );
  log(`compared with ${String(before.date)}${note.length > 0 ? ` (${note.join("; ")})` : ""}:`);
  for (const [label, keys] of rows) log(`  ${label}: ${pick(before, keys) ?? "–"} → ${pick(after, keys) ?? "–"}`);
}

await main();
