/**
 * The retrieval-quality benchmark (`npm run bench:retrieval`): a real memcube server, fed over HTTP
 * with multi-session conversations, then asked ≥ 300 labelled questions. Prints, per part (tuning,
 * held-out) and per question kind, how much of the evidence falls within the first 1,240 and
 * 4,000 characters of the returned memories; the share of preference questions whose preference
 * reaches the chat prompt (fake model, prompt recorded); and search latency.
 *
 *   npm run bench:retrieval                 # full set
 *   npm run bench:retrieval -- --quick      # fewer generated conversations
 *   npm run bench:retrieval -- --label rrf  # names the run in its results file
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startFakeOpenAI } from "../../test/support/fake-openai.js";
import { postJson, startServerProcess, type ServerProcess } from "../../test/support/process.js";
import { round, summarise } from "../lib/stats.js";
import { benchStore } from "../lib/store.js";
import { benchmarkSet } from "./benchmark-set.js";
import { chatTimeOf, type BenchConversation, type BenchQuestion, type Part, type QuestionKind } from "./dataset.js";
import { evidenceWithin, mean, type RankedMemory } from "./metrics.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    label: { type: "string", default: "" },
    store: { type: "string", default: "sqlite" },
    "top-k": { type: "string", default: "60" },
  },
});

/** The prompt budgets (tokens) recall is measured at. */
type Budget = 1240 | 4000;
const TOP_K = Number(flags["top-k"]);
const KINDS: QuestionKind[] = ["single", "multi", "when", "preference", "chinese"];
const PARTS: Part[] = ["tuning", "heldout", "fresh", "fresh2"];
const log = (line: string) => process.stdout.write(`${line}\n`);

async function post(server: ServerProcess, route: string, body: unknown): Promise<Record<string, unknown>> {
  const { status, json } = await postJson(`${server.url}${route}`, body);
  if (status !== 200) throw new Error(`${route} answered ${status}: ${JSON.stringify(json).slice(0, 400)}`);
  return json as Record<string, unknown>;
}

async function ingest(server: ServerProcess, conversation: BenchConversation): Promise<void> {
  for (const session of conversation.sessions) {
    await post(server, "/product/add", {
      user_id: conversation.id,
      session_id: session.id,
      mode: "fast",
      messages: session.messages.map((message, index) => ({
        role: message.speaker === conversation.owner ? "user" : "assistant",
        content: message.text,
        chat_time: chatTimeOf(session.date, index),
        message_id: message.id,
      })),
    });
  }
}

interface SearchMemory {
  memory: string;
  metadata: { sources: { message_id: string }[]; relativity?: number };
}

/** Chat's default threshold: how well relativity separates evidence from the rest at it. */
const THRESHOLD = 0.5;

interface Outcome {
  question: BenchQuestion;
  recall: Record<Budget, number>;
  /** Evidence memories at or above the threshold, of those returned. */
  evidenceAbove: number[];
  /** Other memories at or above the threshold. */
  noiseAbove: number;
  /** For calibrating relativity: the evidence's and the ten best other memories' relativities. */
  relativities: { evidence: number[]; others: number[] };
  inPrompt?: boolean;
  latencyMs: number;
}

async function ask(server: ServerProcess, question: BenchQuestion): Promise<Outcome> {
  const started = performance.now();
  const answer = await post(server, "/product/search", { user_id: question.conversationId, query: question.query, top_k: TOP_K });
  const latencyMs = performance.now() - started;
  const data = answer.data as { text_mem: { memories: SearchMemory[] }[] };
  const memories = data.text_mem[0]?.memories ?? [];
  const evidence = new Set(question.evidence);
  const isEvidence = (memory: SearchMemory) => memory.metadata.sources.some((source) => evidence.has(source.message_id));
  const above = (memory: SearchMemory) => (memory.metadata.relativity ?? 0) >= THRESHOLD;
  const ranked: RankedMemory[] = memories.map((memory) => ({
    text: memory.memory,
    messageIds: memory.metadata.sources.map((source) => source.message_id),
  }));
  return {
    question,
    latencyMs,
    evidenceAbove: memories.filter(isEvidence).map((memory) => (above(memory) ? 1 : 0)),
    noiseAbove: memories.filter((memory) => !isEvidence(memory) && above(memory)).length,
    relativities: {
      evidence: memories.filter(isEvidence).map((memory) => memory.metadata.relativity ?? 0),
      others: memories
        .filter((memory) => !isEvidence(memory))
        .slice(0, 10)
        .map((memory) => memory.metadata.relativity ?? 0),
    },
    recall: { 1240: evidenceWithin(ranked, question.evidence, 1240), 4000: evidenceWithin(ranked, question.evidence, 4000) },
  };
}

const cell = (values: readonly number[]) => (values.length === 0 ? "   -  " : round(mean(values), 3).toFixed(3).padStart(6));

function report(outcomes: readonly Outcome[]): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  log(`\n${"part".padEnd(8)} ${"kind".padEnd(11)} ${"n".padStart(4)}  r@1240  r@4000  pref→prompt`);
  for (const part of PARTS) {
    const ofPart = outcomes.filter((outcome) => outcome.question.part === part);
    const rows: Record<string, unknown> = {};
    for (const kind of [...KINDS, "all"] as const) {
      const ofKind = kind === "all" ? ofPart : ofPart.filter((outcome) => outcome.question.kind === kind);
      const prompts = ofKind.flatMap((outcome) => (outcome.inPrompt === undefined ? [] : [outcome.inPrompt ? 1 : 0]));
      const row = {
        n: ofKind.length,
        recall1240: round(mean(ofKind.map((outcome) => outcome.recall[1240])), 3),
        recall4000: round(mean(ofKind.map((outcome) => outcome.recall[4000])), 3),
        ...(prompts.length > 0 && { preferenceInPrompt: round(mean(prompts), 3) }),
      };
      rows[kind] = row;
      log(
        `${part.padEnd(8)} ${kind.padEnd(11)} ${String(ofKind.length).padStart(4)}  ${cell(ofKind.map((outcome) => outcome.recall[1240]))}  ${cell(ofKind.map((outcome) => outcome.recall[4000]))}  ${prompts.length > 0 ? cell(prompts) : ""}`,
      );
    }
    for (const origin of ["generated", "handwritten"] as const) {
      const ofOrigin = ofPart.filter((outcome) => outcome.question.origin === origin);
      rows[origin] = {
        n: ofOrigin.length,
        recall1240: round(mean(ofOrigin.map((outcome) => outcome.recall[1240])), 3),
        recall4000: round(mean(ofOrigin.map((outcome) => outcome.recall[4000])), 3),
      };
      log(
        `${part.padEnd(8)} ${origin.padEnd(11)} ${String(ofOrigin.length).padStart(4)}  ${cell(ofOrigin.map((outcome) => outcome.recall[1240]))}  ${cell(ofOrigin.map((outcome) => outcome.recall[4000]))}`,
      );
    }
    const evidenceAbove = mean(ofPart.flatMap((outcome) => outcome.evidenceAbove));
    const noiseAbove = mean(ofPart.map((outcome) => outcome.noiseAbove));
    rows.threshold = { at: THRESHOLD, evidenceAbove: round(evidenceAbove, 3), noiseAbovePerQuery: round(noiseAbove, 2) };
    log(`${part.padEnd(8)} relativity ≥ ${THRESHOLD}: ${round(evidenceAbove, 3)} of the evidence found, ${round(noiseAbove, 1)} other memories per query`);
    summary[part] = rows;
  }
  return summary;
}

async function main(): Promise<void> {
  const set = benchmarkSet(flags.quick);
  const messages = set.conversations.reduce(
    (sum, conversation) => sum + conversation.sessions.reduce((count, session) => count + session.messages.length, 0),
    0,
  );
  log(
    `retrieval benchmark${flags.label ? ` (${flags.label})` : ""}: ${set.conversations.length} conversations, ${messages} messages, ${set.questions.length} questions (${PARTS.map((part) => `${part} ${set.questions.filter((question) => question.part === part).length}`).join(", ")}), top_k ${TOP_K}`,
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
    for (const conversation of set.conversations) await ingest(server, conversation);
    log(`ingested in ${round((performance.now() - ingestStarted) / 1000, 1)} s`);
    // Warm-up: the first queries load the encoder and the Chinese dictionary.
    await ask(server, set.questions[0] as BenchQuestion);
    await ask(server, set.questions.find((question) => question.kind === "chinese") as BenchQuestion);
    const outcomes: Outcome[] = [];
    for (const question of set.questions) outcomes.push(await ask(server, question));
    const textOf = new Map(
      set.conversations.flatMap((conversation) =>
        conversation.sessions.flatMap((session) => session.messages.map((message) => [message.id, message.text] as const)),
      ),
    );
    for (const outcome of outcomes.filter((entry) => entry.question.kind === "preference")) {
      const before = llm.requests.length;
      await post(server, "/product/chat/complete", {
        user_id: outcome.question.conversationId,
        query: outcome.question.query,
        session_id: "bench-chat",
        add_message_on_answer: false,
      });
      const prompt = llm.requests
        .slice(before)
        .flatMap((request) =>
          (request.body?.messages ?? []).map((message) => (typeof message.content === "string" ? message.content : JSON.stringify(message.content))),
        )
        .join("\n");
      outcome.inPrompt = outcome.question.evidence.every((id) => prompt.includes(textOf.get(id) ?? "\u0000"));
    }
    const summary = report(outcomes);
    const latency = summarise(outcomes.map((outcome) => outcome.latencyMs));
    log(`\nsearch latency (HTTP, top_k ${TOP_K}): p50 ${latency.p50} ms, p95 ${latency.p95} ms (n ${latency.n})`);
    const resultsDir = path.join(import.meta.dirname, "..", "results");
    mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `retrieval-${new Date().toISOString().replaceAll(":", "-")}${flags.label ? `-${flags.label}` : ""}.json`);
    const misses = outcomes
      .filter((outcome) => outcome.recall[1240] < 1)
      .map((outcome) => ({ id: outcome.question.id, query: outcome.question.query, recall1240: outcome.recall[1240], recall4000: outcome.recall[4000] }));
    const promptMisses = outcomes
      .filter((outcome) => outcome.inPrompt === false)
      .map((outcome) => ({ id: outcome.question.id, query: outcome.question.query }));
    writeFileSync(
      file,
      `${JSON.stringify({ date: new Date().toISOString(), label: flags.label, quick: flags.quick, store: backend.name, topK: TOP_K, questions: set.questions.length, messages, summary, latency, misses, promptMisses, relativities: outcomes.map((outcome) => ({ id: outcome.question.id, part: outcome.question.part, ...outcome.relativities })) }, null, 2)}\n`,
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
