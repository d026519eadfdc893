import type { ChatModel } from "../../llm/chat-model.js";
import type { DerivedMemory, JobClaim, JobRecord, MemoryRecord, NewMemory } from "../../store/types.js";
import { embedWhereMeaningful } from "../add.js";
import type { MemoryContext } from "../context.js";
import { conversationLanguage } from "../extract/language.js";
import { completeJson } from "../extract/model-json.js";
import { sameText } from "../extract/updates.js";
import { indexTextOf } from "../index-terms.js";
import { PermanentJobError } from "../jobs/job-errors.js";
import { keywordQuery, searchScope } from "../search.js";
import { FeedbackPayload, emptyRecord, type FeedbackRecord, type FeedbackResult } from "./payload.js";
import { feedbackMessages, feedbackRetry } from "./prompts.js";
import { FeedbackOutput, type FeedbackOperation } from "./schema.js";

/** The retrieved memories shown at most (a client may send many ids), and how many more search adds. */
const MAX_RETRIEVED = 20;
const SEARCHED = 6;
/** Any relation at all: the model, not the score, tells which memory the feedback is about. */
const MIN_RELEVANCE = 0.05;
/** Earlier messages shown: the last question and answer, with a little context. */
const HISTORY_TURNS = 8;
const CAN_WRITE = new Set(["owner", "write"]);

/**
 * The memories the feedback may concern, in this cube only: those the answer used (the client's
 * retrieved ids), then what a search for the feedback and the last question finds. Ids of other
 * cubes are never read here: a job only ever touches its own cube, which its user may write.
 */
async function concernedMemories(context: MemoryContext, cubeId: string, payload: FeedbackPayload, signal: AbortSignal): Promise<MemoryRecord[]> {
  const retrieved = (await context.store.getMemories(payload.retrievedMemoryIds.slice(0, MAX_RETRIEVED))).filter(
    (memory) => memory.cubeId === cubeId && memory.status === "activated",
  );
  const lastQuestion = [...payload.history].reverse().find((turn) => turn.role === "user")?.content ?? "";
  const text = `${lastQuestion}\n${payload.feedback}`;
  const [vector] = await embedWhereMeaningful(context, [text], signal);
  const query = { ...keywordQuery(text), vector: vector ?? undefined, advice: false };
  const hits = await searchScope(context, query, { cubeId }, { topK: SEARCHED, minRelevance: MIN_RELEVANCE, dedup: "no" });
  const found = new Map(retrieved.map((memory) => [memory.id, memory]));
  for (const { memory } of hits) if (!found.has(memory.id)) found.set(memory.id, memory);
  return [...found.values()];
}

function newVersion(job: JobRecord, payload: FeedbackPayload, old: MemoryRecord, text: string, now: string): NewMemory {
  return {
    id: crypto.randomUUID(),
    cubeId: job.cubeId,
    userId: job.userId,
    sessionId: old.sessionId,
    text,
    memoryType: old.memoryType,
    key: old.key,
    tags: old.tags,
    confidence: 1,
    source: old.source,
    background: `feedback: ${payload.feedback.slice(0, 2000)}`,
    info: old.info,
    chatTime: payload.feedbackTime,
    createdAt: now,
    updatedAt: now,
    // The corrected fact speaks of what the old one was made from.
    sourceMessageIds: old.sources.map((source) => source.messageId),
    vector: null,
    keywords: indexTextOf([text, old.key, ...old.tags].join(" ")),
  };
}

function addedMemory(job: JobRecord, payload: FeedbackPayload, operation: Extract<FeedbackOperation, { op: "add" }>, now: string): NewMemory {
  return {
    id: crypto.randomUUID(),
    cubeId: job.cubeId,
    userId: job.userId,
    sessionId: payload.sessionId,
    text: operation.text,
    memoryType: operation.memoryType,
    key: "",
    tags: [],
    confidence: 1,
    source: "conversation",
    background: `feedback: ${payload.feedback.slice(0, 2000)}`,
    info: payload.info,
    chatTime: payload.feedbackTime,
    createdAt: now,
    updatedAt: now,
    sourceMessageIds: [],
    vector: null,
    keywords: indexTextOf(operation.text),
  };
}

/**
 * The feedback job: the feedback, the conversation and the memories concerned go to the
 * extraction model, which answers with updates, deletions and additions. An update writes a new
 * version that replaces the old one (archived, its history carried over: memory_history reads
 * newest first); a deletion erases the memory as delete_memory does; both only in the job's cube.
 * Written in one transaction that completes the job (deletions just before it: a crash between
 * runs the job again over what is left).
 */
export async function runFeedback(context: MemoryContext, model: ChatModel, job: JobRecord, claim: JobClaim, signal: AbortSignal): Promise<void> {
  const parsed = FeedbackPayload.safeParse(job.payload);
  if (!parsed.success) throw new PermanentJobError(`malformed feedback job payload: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const payload = parsed.data;
  // Access may have changed since the feedback was queued.
  const access = await context.store.accessOf(job.cubeId, job.userId);
  if (access === undefined || !CAN_WRITE.has(access)) throw new PermanentJobError(`user '${job.userId}' may no longer write cube '${job.cubeId}'`);

  const concerned = await concernedMemories(context, job.cubeId, payload, signal);
  const history = payload.history.slice(-HISTORY_TURNS);
  const language = conversationLanguage([payload.feedback, ...history.filter((turn) => turn.role === "user").map((turn) => turn.content)]);
  const answer = await completeJson(
    model,
    feedbackMessages(
      {
        history,
        feedback: payload.feedback,
        feedbackTime: payload.feedbackTime,
        memories: concerned.map((memory, index) => ({ number: index + 1, text: memory.text, memoryType: memory.memoryType, chatTime: memory.chatTime })),
        correctedAnswer: payload.correctedAnswer,
      },
      language,
    ),
    FeedbackOutput,
    { signal, retryTurn: (problem) => feedbackRetry(problem, language) },
  );

  const now = context.now().toISOString();
  const record: FeedbackRecord = emptyRecord();
  const derived: DerivedMemory[] = [];
  /** Each memory changes once: the first operation naming it wins. */
  const touched = new Set<string>();
  const deletions: MemoryRecord[] = [];
  for (const operation of answer.value.operations) {
    if (operation.op === "add") {
      if (concerned.some((memory) => sameText(memory.text, operation.text)) || derived.some(({ memory }) => sameText(memory.text, operation.text))) continue;
      const memory = addedMemory(job, payload, operation, now);
      derived.push({ memory });
      record.add.push({ id: memory.id, text: memory.text, source_doc_id: null });
      continue;
    }
    const target = concerned[operation.memory - 1];
    if (!target || touched.has(target.id)) continue;
    if (operation.op === "delete") {
      touched.add(target.id);
      deletions.push(target);
      record.delete.push({ id: target.id, text: target.text });
      continue;
    }
    if (sameText(operation.text, target.text)) continue;
    touched.add(target.id);
    const memory = newVersion(job, payload, target, operation.text, now);
    derived.push({ memory, supersedes: { memoryId: target.id, reason: "corrected by feedback" } });
    record.update.push({ id: memory.id, text: memory.text, source_doc_id: null, archived_id: target.id, origin_memory: target.text });
  }

  const vectors = await embedWhereMeaningful(
    context,
    derived.map(({ memory }) => memory.text),
    signal,
  );
  derived.forEach(({ memory }, index) => (memory.vector = vectors[index] ?? null));

  if (deletions.length > 0)
    await context.store.deleteMemories(
      job.cubeId,
      deletions.map((memory) => memory.id),
    );
  const result: FeedbackResult = { record, answer: payload.correctedAnswer ? answer.value.answer : "" };
  await context.store.commitRefinement({ claim, cubeId: job.cubeId, now, derived, retire: [], result: { ...result, retried: answer.retried, language } });
}
