/**
 * Where an HTTP search's time goes, on the real-chat corpus (`npm run bench:search-path`). Prints
 * figures; never asserts them. Built to be repeated on a shared machine: the data folder is filled
 * once (20,000 real-chat messages over HTTP, as `npm run bench` does) and kept, and the figures are
 * CPU time (user + system) first, wall time second.
 *
 *   npm run bench:search-path -- [--data /tmp/memcube-searchpath-20k] [--memories 20000]
 *     [--queries 300] [--profile]           # --profile: the server runs with --cpu-prof, summarised per function
 *     [--advice-context]                    # in process: search as chat does (advice requests' nearest user messages too)
 *
 * Phases: (1) fill the data folder if it holds no cube yet; (2) in process, on the same store: the
 * query embeddings first (encoder CPU per question), then the searches on cached embeddings, with the
 * CPU of each store call summed per method — the rest of a search is ranking in JavaScript; (3) over
 * HTTP against a server process: CPU per search from /proc, wall p50 / p95.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createEmbedder } from "../src/embed/index.js";
import type { MemoryContext } from "../src/memory/context.js";
import { prepareQuery, searchMemories, textMemoryTypes } from "../src/memory/search.js";
import type { Store } from "../src/store/store.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { postJson, startServerProcess } from "../test/support/process.js";
import { realChatCorpus } from "./lib/chat-corpus.js";
import { cpuDuring } from "./lib/cpu.js";
import { round, summarise } from "./lib/stats.js";

const { values: flags } = parseArgs({
  options: {
    data: { type: "string", default: "/tmp/memcube-searchpath-20k" },
    memories: { type: "string", default: "20000" },
    queries: { type: "string", default: "300" },
    profile: { type: "boolean", default: false },
    phase: { type: "string", default: "all" },
    /** Searches as chat does: an advice request also reads its nearest user messages (recall/advice-context.ts). */
    "advice-context": { type: "boolean", default: false },
    /** Writes each query's results (ids and relevance) to this file, or compares them with it when it exists. */
    results: { type: "string" },
  },
});
const DATA = flags.data;
const MEMORIES = Number(flags.memories);
const QUERIES = Number(flags.queries);
const CUBE = "bench";
const BATCH = 500;
const log = (line: string) => process.stdout.write(`${line}\n`);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(" ");

async function fill(): Promise<void> {
  mkdirSync(DATA, { recursive: true });
  const server = await startServerProcess({ MEMCUBE_DATA_DIR: DATA });
  try {
    const corpus = realChatCorpus().messages(MEMORIES, 7);
    const started = performance.now();
    for (let offset = 0; offset < corpus.length; offset += BATCH) {
      const batch = corpus.slice(offset, offset + BATCH).map((message, index) => ({
        ...message,
        message_id: `m-${offset + index}`,
        chat_time: new Date(Date.UTC(2026, 0, 1) + (offset + index) * 60_000).toISOString(),
      }));
      const response = await postJson(`${server.url}/product/add`, { user_id: CUBE, session_id: `s-${offset / BATCH}`, messages: batch });
      if (response.status !== 200) throw new Error(`add failed: ${JSON.stringify(response.json)}`);
      if ((offset / BATCH) % 8 === 7) log(`  … ${offset + BATCH} messages`);
    }
    log(`filled ${corpus.length} messages in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    // The cube's HNSW index builds in the background; one search waits for nothing, so let it finish,
    // then the shutdown saves it next to the database.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  } finally {
    await server.stop();
  }
}

/** The questions every phase asks: the corpus's fixed order, so runs are comparable. */
function questions(count: number): string[] {
  return realChatCorpus().questions(count, 0);
}

async function overHttp(): Promise<void> {
  const env: Record<string, string> = { MEMCUBE_DATA_DIR: DATA };
  const profileDir = path.join(path.dirname(DATA), `memcube-searchpath-prof-${process.pid}`);
  if (flags.profile) mkdirSync(profileDir, { recursive: true });
  const spawned = performance.now();
  const server = await startServerProcess(env, flags.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []);
  const windows: { label: string; from: number; to: number; searches: number }[] = [];
  try {
    const asked = questions(QUERIES + 20);
    for (const query of asked.slice(0, 20)) await postJson(`${server.url}/product/search`, { user_id: CUBE, query, top_k: 10 });
    log(`HTTP, ${QUERIES} distinct real-chat questions, top_k 10 (load average ${load()}):`);
    // Then the same questions again: their embeddings are cached, so that run is the search without the encoder.
    for (const label of ["query embedded", "query embedding cached"]) {
      const samples: number[] = [];
      const from = performance.now() - spawned;
      const { cpuMs } = await cpuDuring(server.pid, async () => {
        for (const query of asked.slice(20)) {
          const t = performance.now();
          const response = await postJson(`${server.url}/product/search`, { user_id: CUBE, query, top_k: 10 });
          samples.push(performance.now() - t);
          if (response.status !== 200) throw new Error(`search failed: ${JSON.stringify(response.json)}`);
        }
      });
      windows.push({ label, from, to: performance.now() - spawned, searches: samples.length });
      const summary = summarise(samples);
      const cpu = cpuMs === undefined ? "–" : round(cpuMs / samples.length, 2);
      log(`  ${label}: server CPU ${cpu} ms per search; wall p50 ${summary.p50} ms, p95 ${summary.p95} ms (load average ${load()})`);
    }
  } finally {
    await server.stop();
  }
  if (flags.profile) for (const window of windows) summariseProfiles(profileDir, window);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * The main thread's profile (the one that ran searchMemories), within a window of the run (ms
 * since the server was spawned; the profile starts a few ms later): self time per file and per
 * function, and total time (callees included) of memcube's own functions, per search.
 */
function summariseProfiles(folder: string, window: { label: string; from: number; to: number; searches: number }): void {
  for (const file of readdirSync(folder).filter((name) => name.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(path.join(folder, file), "utf8")) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    if (!profile.nodes.some((node) => node.callFrame.functionName === "searchMemories")) continue;
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const nameOf = (node: ProfileNode) => {
      const where = node.callFrame.url.replace(/^.*\/(src|node_modules)\//, "$1/");
      return { where, name: `${node.callFrame.functionName || "(anonymous)"} ${where}:${node.callFrame.lineNumber + 1}` };
    };
    const self = new Map<string, number>();
    const byFile = new Map<string, number>();
    const total = new Map<string, number>();
    const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
    let at = 0;
    let sampled = 0;
    profile.samples.forEach((id, index) => {
      const delta = (profile.timeDeltas[index] ?? 0) / 1000;
      at += delta;
      const node = byId.get(id);
      if (!node || at < window.from || at > window.to || node.callFrame.functionName === "(idle)") return;
      sampled += delta;
      const { where, name } = nameOf(node);
      add(self, name, delta);
      add(
        byFile,
        where.startsWith("node_modules/")
          ? where
              .split("/")
              .slice(0, where.includes("/@") ? 3 : 2)
              .join("/")
          : where || node.callFrame.functionName,
        delta,
      );
      const seen = new Set<string>();
      for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
        const frame = byId.get(up) as ProfileNode;
        if (!frame.callFrame.url.includes("/src/")) continue;
        const key = nameOf(frame).name;
        if (!seen.has(key)) add(total, key, delta);
        seen.add(key);
      }
    });
    const per = (ms: number) =>
      round(ms / window.searches, 3)
        .toString()
        .padStart(7);
    log(`\nprofile of the request thread, ${window.label}: ${per(sampled)} ms sampled per search (${file})`);
    const top = (map: Map<string, number>, count: number) =>
      [...map.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, count)
        .forEach(([name, ms]) => log(`  ${per(ms)} ms  ${name}`));
    log("  self time by file, per search:");
    top(byFile, 20);
    log("  self time by function, per search:");
    top(self, 30);
    log("  total time of memcube's functions, per search:");
    top(total, 30);
  }
}

/** CPU (user + system, µs → ms) and wall time of the calls of each store method, summed. */
interface Spent {
  calls: number;
  cpuMs: number;
  wallMs: number;
}

/**
 * The store with each method's synchronous part measured: better-sqlite3 does all its work before
 * the returned promise, so that is the call's whole cost. The encoder's threads are idle meanwhile
 * (every query's embedding is cached), so the process's CPU time is the request thread's.
 */
function measured(store: Store, spent: Map<string, Spent>): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        const cpu = process.cpuUsage();
        const wall = performance.now();
        const result: unknown = (value as (...parameters: unknown[]) => unknown).apply(target, args);
        const used = process.cpuUsage(cpu);
        const entry = spent.get(property) ?? { calls: 0, cpuMs: 0, wallMs: 0 };
        entry.calls += 1;
        entry.cpuMs += (used.user + used.system) / 1000;
        entry.wallMs += performance.now() - wall;
        spent.set(property, entry);
        return result;
      };
    },
  });
}

const cpuNow = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

async function inProcess(): Promise<void> {
  const store = new SqliteStore(path.join(DATA, "memcube.db"));
  const embedder = await createEmbedder({ backend: "local" });
  const spent = new Map<string, Spent>();
  try {
    const context: MemoryContext = { store: measured(store, spent), embedder, now: () => new Date() };
    const asked = questions(QUERIES + 20);
    const request = (query: string) => ({
      userId: CUBE,
      query,
      cubeIds: [CUBE],
      topK: 10,
      minRelevance: 0,
      dedup: "mmr" as const,
      memoryTypes: textMemoryTypes("All"),
      includePreference: true,
      preferenceTopK: 6,
      adviceContext: flags["advice-context"],
    });
    // Warm-up: the model, the embedder's calibration, the HNSW index loaded, SQLite's pages.
    for (const query of asked.slice(0, 20)) await searchMemories(context, request(query));
    const queries = asked.slice(20);
    // End to end, the embedding included, on other questions (so the cache is cold for the ones below).
    const whole = realChatCorpus()
      .questions(QUERIES * 2 + 20, 0)
      .slice(QUERIES + 20);
    const wholeSamples: number[] = [];
    let cpu = cpuNow();
    for (const query of whole) {
      const t = performance.now();
      await searchMemories(context, request(query));
      wholeSamples.push(performance.now() - t);
    }
    const wholeCpu = (cpuNow() - cpu) / whole.length;
    const wholeSummary = summarise(wholeSamples);
    cpu = cpuNow();
    let wall = performance.now();
    for (const query of queries) await prepareQuery(context, query);
    const embedCpu = (cpuNow() - cpu) / queries.length;
    const embedWall = (performance.now() - wall) / queries.length;
    spent.clear();
    const samples: number[] = [];
    const answers: Answer[] = [];
    cpu = cpuNow();
    wall = performance.now();
    for (const query of queries) {
      const t = performance.now();
      const result = await searchMemories(context, request(query));
      samples.push(performance.now() - t);
      answers.push(answerOf(result));
    }
    const searchCpu = (cpuNow() - cpu) / queries.length;
    const searchWall = (performance.now() - wall) / queries.length;
    const summary = summarise(samples);
    log(`in process, ${queries.length} distinct real-chat questions, top_k 10, preferences on (load average ${load()}):`);
    log(`  search, query embedding included: CPU ${round(wholeCpu, 2)} ms per search (all threads), wall p50 ${wholeSummary.p50}, p95 ${wholeSummary.p95} ms`);
    log(`  query embedding (one question per call, cache cold): CPU ${round(embedCpu, 2)} ms, wall ${round(embedWall, 2)} ms per question`);
    log(`  search on the cached embedding: CPU ${round(searchCpu, 2)} ms, wall ${round(searchWall, 2)} ms per search (p50 ${summary.p50}, p95 ${summary.p95})`);
    let storeCpu = 0;
    for (const [method, entry] of [...spent.entries()].sort((a, b) => b[1].cpuMs - a[1].cpuMs)) {
      storeCpu += entry.cpuMs;
      log(
        `    store.${method.padEnd(22)} ${round(entry.calls / queries.length, 2)
          .toString()
          .padStart(5)} calls, CPU ${round(entry.cpuMs / queries.length, 3)} ms, wall ${round(entry.wallMs / queries.length, 3)} ms per search`,
      );
    }
    log(`    ranking in JavaScript (the rest)   CPU ${round(searchCpu - storeCpu / queries.length, 3)} ms per search`);
    if (flags.results) compareOrSave(flags.results, answers);
  } finally {
    await embedder.close();
    await store.close();
  }
}

/** What one search returned: the text hits and the preferences, best first, with their relevance. */
interface Answer {
  text: [string, number][];
  preference: [string, number][];
}

function answerOf(result: Awaited<ReturnType<typeof searchMemories>>): Answer {
  const pairs = (buckets: typeof result.text) =>
    buckets.flatMap((bucket) => bucket.memories.map(({ memory, relevance }): [string, number] => [memory.id, relevance]));
  return { text: pairs(result.text), preference: pairs(result.preference) };
}

/**
 * Against the answers of an earlier run (e.g. before a change): how many of its top 10 are still
 * there (in any order), and how many answers are identical, ids and relevance.
 */
function compareOrSave(file: string, answers: Answer[]): void {
  if (!existsSync(file)) {
    writeFileSync(file, JSON.stringify(answers));
    log(`  results saved to ${file}`);
    return;
  }
  const before = JSON.parse(readFileSync(file, "utf8")) as Answer[];
  let kept = 0;
  let asked = 0;
  let identical = 0;
  let preferencesKept = 0;
  let preferencesAsked = 0;
  answers.forEach((answer, index) => {
    const earlier = before[index] as Answer;
    const ids = new Set(answer.text.map(([id]) => id));
    kept += earlier.text.filter(([id]) => ids.has(id)).length;
    asked += earlier.text.length;
    const preferenceIds = new Set(answer.preference.map(([id]) => id));
    preferencesKept += earlier.preference.filter(([id]) => preferenceIds.has(id)).length;
    preferencesAsked += earlier.preference.length;
    if (JSON.stringify(earlier) === JSON.stringify(answer)) identical += 1;
  });
  log(
    `  against ${file}: ${kept} of ${asked} earlier text hits still returned (${round(kept / Math.max(asked, 1), 4)}), preferences ${preferencesKept} of ${preferencesAsked}; ${identical} of ${answers.length} answers identical`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(path.join(DATA, "memcube.db"))) {
    log(`filling ${DATA} with ${MEMORIES} real-chat messages (once; later runs reuse it)`);
    await fill();
  }
  if (flags.phase === "all" || flags.phase === "process") await inProcess();
  if (flags.phase === "all" || flags.phase === "http") await overHttp();
}

await main();
