/**
 * The retrieval-quality benchmark (`npm run bench:retrieval`): a real memcube server (default
 * embedded configuration), fed over HTTP with conversations (`/product/add`, fast mode, one cube
 * per conversation), then asked labelled questions through `/product/search` and, for preference
 * and no-answer questions, `/product/chat/complete` against a fake model that records its prompt.
 * Prints, per set, per kind and per language: how much of the evidence falls within the first
 * 1,240 and 4,000 characters of the returned memories; the share of preference questions whose
 * evidence reaches the chat prompt; and how many memories pass chat's default threshold when
 * nothing answers the question (the precision figure).
 *
 *   npm run bench:retrieval                               # public dev set + memcube's own set
 *   npm run bench:retrieval -- --set path/to/heldout.json # another public set (and the own set)
 *   npm run bench:retrieval -- --no-own                   # the public set only
 *   npm run bench:retrieval -- --quick --label rrf        # fewer generated own conversations; names the run
 *   npm run bench:retrieval -- --no-own --one-cube        # every conversation in one cube (a longer memory)
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/support/fake-openai.js";
import { postJson, startServerProcess, type ServerProcess } from "../../test/support/process.js";
import { round, summarise } from "../lib/stats.js";
import { benchStore } from "../lib/store.js";
import { benchmarkSet } from "./benchmark-set.js";
import { joinSuites, ownSuite, publicSuite, type Case, type Feed, type Suite } from "./cases.js";
import { evidenceWithin, mean, type RankedMemory } from "./metrics.js";
import { loadPublicSet } from "./public-format.js";

const DEFAULT_SET = path.join(import.meta.dirname, "public", "dev.json");

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    label: { type: "string", default: "" },
    store: { type: "string", default: "sqlite" },
    "top-k": { type: "string", default: "60" },
    set: { type: "string" },
    "no-own": { type: "boolean", default: false },
    "no-public": { type: "boolean", default: false },
    /** Every conversation in one cube: each question's evidence among all the set's turns (a longer memory). */
    "one-cube": { type: "boolean", default: false },
  },
});

const TOP_K = Number(flags["top-k"]);
/** Chat's default threshold: what "passes" means in the precision figure. */
const THRESHOLD = 0.5;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function post(server: ServerProcess, route: string, body: unknown): Promise<Record<string, unknown>> {
  const { status, json } = await postJson(`${server.url}${route}`, body);
  if (status !== 200) throw new Error(`${route} answered ${status}: ${JSON.stringify(json).slice(0, 400)}`);
  return json as Record<string, unknown>;
}

async function ingest(server: ServerProcess, feed: Feed): Promise<void> {
  for (const session of feed.sessions)
    await post(server, "/product/add", { user_id: feed.cube, session_id: session.id, mode: "fast", messages: session.messages });
}

interface SearchMemory {
  memory: string;
  metadata: { sources: { message_id: string }[]; relativity?: number };
}

interface Outcome {
  case: Case;
  recall: { 1240: number; 4000: number } | undefined;
  /** Evidence memories at or above the threshold, of those returned (1 or 0 each). */
  evidenceAbove: number[];
  /** Other memories at or above the threshold. */
  noiseAbove: number;
  /** Memories search listed in pref_mem. */
  preferences: number;
  /** Chat: every evidence text reached the prompt. */
  inPrompt?: boolean;
  /** Chat: how many memories the prompt showed. */
  promptMemories?: number;
  /** Chat: the evidence turns whose text the prompt did not show. */
  promptMissing?: string[];
  relativities: { evidence: number[]; others: number[] };
  latencyMs: number;
}

async function ask(server: ServerProcess, question: Case): Promise<Outcome> {
  const started = performance.now();
  const answer = await post(server, "/product/search", { user_id: question.cube, query: question.query, top_k: TOP_K });
  const latencyMs = performance.now() - started;
  const data = answer.data as { text_mem: { memories: SearchMemory[] }[]; pref_mem: { memories: SearchMemory[] }[] };
  const memories = data.text_mem[0]?.memories ?? [];
  const evidence = new Set(question.evidence);
  const isEvidence = (memory: SearchMemory) => memory.metadata.sources.some((source) => evidence.has(source.message_id));
  const above = (memory: SearchMemory) => (memory.metadata.relativity ?? 0) >= THRESHOLD;
  const ranked: RankedMemory[] = memories.map((memory) => ({ text: memory.memory, messageIds: memory.metadata.sources.map((source) => source.message_id) }));
  return {
    case: question,
    latencyMs,
    evidenceAbove: memories.filter(isEvidence).map((memory) => (above(memory) ? 1 : 0)),
    noiseAbove: memories.filter((memory) => !isEvidence(memory) && above(memory)).length,
    preferences: data.pref_mem?.[0]?.memories.length ?? 0,
    relativities: {
      evidence: memories.filter(isEvidence).map((memory) => memory.metadata.relativity ?? 0),
      others: memories
        .filter((memory) => !isEvidence(memory))
        .slice(0, 10)
        .map((memory) => memory.metadata.relativity ?? 0),
    },
    recall:
      question.evidence.length === 0
        ? undefined
        : { 1240: evidenceWithin(ranked, question.evidence, 1240), 4000: evidenceWithin(ranked, question.evidence, 4000) },
  };
}

/** A text as the prompt quotes it (JSON, with < and > escaped), or as it is. */
const inPromptText = (prompt: string, text: string) =>
  prompt.includes(text) || prompt.includes(JSON.stringify(text).slice(1, -1).replaceAll("<", "\\u003c").replaceAll(">", "\\u003e"));

async function chat(server: ServerProcess, llm: FakeOpenAI, suite: Suite, outcome: Outcome): Promise<void> {
  const before = llm.requests.length;
  await post(server, "/product/chat/complete", {
    user_id: outcome.case.cube,
    query: outcome.case.query,
    session_id: "bench-chat",
    add_message_on_answer: false,
  });
  const system = llm.requests
    .slice(before)
    .map((request) => request.body?.messages?.[0])
    .map((message) => (typeof message?.content === "string" ? message.content : JSON.stringify(message?.content ?? "")))
    .join("\n");
  outcome.promptMemories = system.match(/^\[\d+\] /gm)?.length ?? 0;
  if (outcome.case.evidence.length === 0) return;
  outcome.promptMissing = outcome.case.evidence.filter((id) => !inPromptText(system, suite.textOf.get(id) ?? "\u0000"));
  outcome.inPrompt = outcome.promptMissing.length === 0;
}

const cell = (values: readonly number[], digits = 3) => (values.length === 0 ? "    -  " : round(mean(values), digits).toFixed(digits).padStart(7));

interface Row {
  n: number;
  recall1240?: number;
  recall4000?: number;
  preferenceInPrompt?: number;
  noiseAbovePerQuery: number;
  promptMemories?: number;
}

function row(outcomes: readonly Outcome[]): { row: Row; line: string } {
  const recalls = outcomes.flatMap((outcome) => (outcome.recall ? [outcome.recall] : []));
  const prompts = outcomes.flatMap((outcome) => (outcome.inPrompt === undefined ? [] : [outcome.inPrompt ? 1 : 0]));
  const noAnswer = outcomes.filter((outcome) => outcome.case.kind === "no-answer");
  const promptCounts = noAnswer.flatMap((outcome) => (outcome.promptMemories === undefined ? [] : [outcome.promptMemories]));
  const r1240 = recalls.map((recall) => recall[1240]);
  const r4000 = recalls.map((recall) => recall[4000]);
  const noise = outcomes.map((outcome) => outcome.noiseAbove);
  return {
    row: {
      n: outcomes.length,
      ...(recalls.length > 0 && { recall1240: round(mean(r1240), 3), recall4000: round(mean(r4000), 3) }),
      ...(prompts.length > 0 && { preferenceInPrompt: round(mean(prompts), 3) }),
      noiseAbovePerQuery: round(mean(noise), 2),
      ...(promptCounts.length > 0 && { promptMemories: round(mean(promptCounts), 2) }),
    },
    line: `${String(outcomes.length).padStart(4)} ${cell(r1240)} ${cell(r4000)} ${cell(prompts)} ${cell(noise, 2)} ${cell(promptCounts, 2)}`,
  };
}

function report(outcomes: readonly Outcome[]): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  log(`\n${"set".padEnd(13)} ${"group".padEnd(16)} ${"n".padStart(4)}  r@1240  r@4000  pref→p  ≥${THRESHOLD}/q  prompt(no-ans)`);
  for (const set of [...new Set(outcomes.map((outcome) => outcome.case.set))]) {
    const ofSet = outcomes.filter((outcome) => outcome.case.set === set);
    const rows: Record<string, Row> = {};
    const groups: [string, Outcome[]][] = [
      ...[...new Set(ofSet.map((outcome) => outcome.case.kind))].map(
        (kind) => [kind, ofSet.filter((outcome) => outcome.case.kind === kind)] as [string, Outcome[]],
      ),
      ...[...new Set(ofSet.map((outcome) => outcome.case.language))].map(
        (language) => [`lang:${language}`, ofSet.filter((outcome) => outcome.case.language === language)] as [string, Outcome[]],
      ),
      ["all", ofSet],
    ];
    for (const [name, group] of groups) {
      const { row: figures, line } = row(group);
      rows[name] = figures;
      log(`${set.padEnd(13)} ${name.padEnd(16)} ${line}`);
    }
    const evidenceAbove = mean(ofSet.flatMap((outcome) => outcome.evidenceAbove));
    log(`${set.padEnd(13)} relativity ≥ ${THRESHOLD}: ${round(evidenceAbove, 3)} of the evidence found`);
    summary[set] = { ...rows, threshold: { at: THRESHOLD, evidenceAbove: round(evidenceAbove, 3) } };
  }
  return summary;
}

function suiteToRun(): { suite: Suite; setFile: string | undefined } {
  const suites: Suite[] = [];
  const setFile = flags["no-public"] ? undefined : (flags.set ?? DEFAULT_SET);
  if (setFile !== undefined) {
    if (!existsSync(setFile)) throw new Error(`no benchmark set at ${setFile} (--set <path>, or --no-public for the own set only)`);
    suites.push(publicSuite(loadPublicSet(setFile), path.basename(setFile, ".json")));
  }
  if (!flags["no-own"]) suites.push(ownSuite(benchmarkSet(flags.quick)));
  const suite = joinSuites(suites);
  if (!flags["one-cube"]) return { suite, setFile };
  const cube = "one-cube";
  return {
    suite: { ...suite, feeds: suite.feeds.map((feed) => ({ ...feed, cube })), cases: suite.cases.map((entry) => ({ ...entry, cube })) },
    setFile,
  };
}

async function main(): Promise<void> {
  const { suite, setFile } = suiteToRun();
  const messages = suite.feeds.reduce((sum, feed) => sum + feed.sessions.reduce((count, session) => count + session.messages.length, 0), 0);
  const sets = [...new Set(suite.cases.map((entry) => entry.set))];
  log(
    `retrieval benchmark${flags.label ? ` (${flags.label})` : ""}: ${suite.feeds.length} conversations, ${messages} messages, ${suite.cases.length} questions (${sets.map((set) => `${set} ${suite.cases.filter((entry) => entry.set === set).length}`).join(", ")}), top_k ${TOP_K}`,
  );
  const backend = await benchStore(flags.store);
  const dataDir = mkdtempSync(path.join(tmpdir(), "memcube-retrieval-"));
  const llm = await startFakeOpenAI({ text: "ok" });
  const server = await startServerProcess({
    MEMCUBE_DATA_DIR: dataDir,
    ...backend.env,
    CHAT_MODEL_LIST: JSON.stringify([{ backend: "openai", api_base: llm.url, api_key: "sk-bench", model_name_or_path: "bench-model" }]),
  });
  try {
    const ingestStarted = performance.now();
    for (const feed of suite.feeds) await ingest(server, feed);
    log(`ingested in ${round((performance.now() - ingestStarted) / 1000, 1)} s`);
    // Warm-up: the first queries load the encoder and the Chinese dictionary.
    for (const warm of [suite.cases[0], suite.cases.find((entry) => entry.language === "zh")]) if (warm) await ask(server, warm);
    const outcomes: Outcome[] = [];
    for (const question of suite.cases) outcomes.push(await ask(server, question));
    for (const outcome of outcomes.filter((entry) => entry.case.chat)) await chat(server, llm, suite, outcome);
    const summary = report(outcomes);
    const latency = summarise(outcomes.map((outcome) => outcome.latencyMs));
    log(`\nsearch latency (HTTP, top_k ${TOP_K}, shared machine: not a speed figure): p50 ${latency.p50} ms, p95 ${latency.p95} ms (n ${latency.n})`);
    const resultsDir = path.join(import.meta.dirname, "..", "results");
    mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `retrieval-${new Date().toISOString().replaceAll(":", "-")}${flags.label ? `-${flags.label}` : ""}.json`);
    const misses = outcomes
      .filter((outcome) => outcome.recall !== undefined && outcome.recall[1240] < 1)
      .map((outcome) => ({
        id: outcome.case.id,
        set: outcome.case.set,
        kind: outcome.case.kind,
        recall1240: outcome.recall?.[1240],
        recall4000: outcome.recall?.[4000],
      }));
    const promptMisses = outcomes.filter((outcome) => outcome.inPrompt === false).map((outcome) => ({ id: outcome.case.id, set: outcome.case.set }));
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          label: flags.label,
          set: setFile === undefined ? null : path.relative(process.cwd(), setFile),
          quick: flags.quick,
          store: backend.name,
          topK: TOP_K,
          questions: suite.cases.length,
          messages,
          summary,
          latency,
          misses,
          promptMisses,
          outcomes: outcomes.map((outcome) => ({
            id: outcome.case.id,
            set: outcome.case.set,
            kind: outcome.case.kind,
            recall: outcome.recall,
            inPrompt: outcome.inPrompt,
            noiseAbove: outcome.noiseAbove,
            preferences: outcome.preferences,
            promptMemories: outcome.promptMemories,
            ...(outcome.promptMissing && outcome.promptMissing.length > 0 && { promptMissing: outcome.promptMissing }),
            ...outcome.relativities,
          })),
        },
        null,
        2,
      )}\n`,
    );
    log(`results: ${path.relative(process.cwd(), file)}`);
  } finally {
    await server.stop();
    await llm.close();
    await backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
