import type { ConversationBatch, ConversationWrite } from "../store.js";
import type { MessageRecord, NewJob, NewMemory } from "../types.js";
import { use, type Script, type Step } from "./script.js";

/** What writing a conversation needs of a driver, inside its write transaction. */
export interface ConversationPrimitives {
  ensureUser(userId: string, now: string): Step<void>;
  /** Throws CubeWriteRefused unless the user may write the cube; creates it (theirs) when missing. */
  claimForWriting(cubeId: string, userId: string, now: string): Step<void>;
  /** Inserts the messages whose id their cube does not hold yet; returns those inserted. */
  insertMessages(messages: readonly MessageRecord[]): Step<readonly { cubeId: string; messageId: string }[]>;
  /** Inserts memories with their sources and indexes, in the order given. */
  insertMemories(memories: readonly NewMemory[]): Step<void>;
  /** One job row, covering only the messages stored now (and the memories made from them). */
  enqueue(job: NewJob, messageIds: readonly string[], memoryIds: readonly string[], now: string): Step<void>;
}

const keyOf = (cubeId: string, messageId: string) => JSON.stringify([cubeId, messageId]);

/**
 * Stores a batch of messages with one memory each, and their follow-up jobs, checking at the
 * moment of writing that the user may write every cube. A message its cube already holds (or that
 * the batch repeats) is skipped with its memory; a job keeps only the messages stored now.
 */
export function* writeConversation(tx: ConversationPrimitives, batch: ConversationBatch): Script<ConversationWrite> {
  yield* use(tx.ensureUser(batch.userId, batch.now));
  // Cubes in a fixed order, so that two batches over the same cubes never deadlock; a job is a write to its cube too.
  const cubeIds = [...batch.entries.map((entry) => entry.message.cubeId), ...[...(batch.jobs ?? []), ...(batch.standaloneJobs ?? [])].map((job) => job.cubeId)];
  for (const cubeId of [...new Set(cubeIds)].sort()) {
    yield* use(tx.claimForWriting(cubeId, batch.userId, batch.now));
  }
  const firsts = new Map<string, (typeof batch.entries)[number]>();
  for (const entry of batch.entries) {
    const key = keyOf(entry.message.cubeId, entry.message.messageId);
    if (!firsts.has(key)) firsts.set(key, entry);
  }
  const inserted = new Set(
    (yield* use(tx.insertMessages([...firsts.values()].map((entry) => entry.message)))).map((message) => keyOf(message.cubeId, message.messageId)),
  );
  const existingMessageIds: string[] = [];
  /** Per cube: the messages stored now, with the memory made from each. */
  const stored = new Map<string, Map<string, string>>();
  const memories: NewMemory[] = [];
  for (const entry of batch.entries) {
    const key = keyOf(entry.message.cubeId, entry.message.messageId);
    if (firsts.get(key) !== entry || !inserted.has(key)) {
      existingMessageIds.push(entry.message.messageId);
      continue;
    }
    memories.push(entry.memory);
    const inCube = stored.get(entry.message.cubeId) ?? new Map<string, string>();
    inCube.set(entry.message.messageId, entry.memory.id);
    stored.set(entry.message.cubeId, inCube);
  }
  yield* use(tx.insertMemories(memories));
  const jobs: ConversationWrite["jobs"] = [];
  for (const job of batch.jobs ?? []) {
    const inCube = stored.get(job.cubeId) ?? new Map<string, string>();
    const messageIds = [...new Set(job.messageIds)].filter((messageId) => inCube.has(messageId));
    // A job over messages is about what is new; one naming none (feedback, a task record) stands on its own.
    if (messageIds.length === 0 && job.messageIds.length > 0) continue;
    const memoryIds = messageIds.flatMap((messageId) => inCube.get(messageId) ?? []);
    yield* use(tx.enqueue(job, messageIds, memoryIds, batch.now));
    jobs.push({ taskId: job.taskId, cubeId: job.cubeId, messageIds });
  }
  for (const job of batch.standaloneJobs ?? []) {
    yield* use(tx.enqueue(job, [], [], batch.now));
    jobs.push({ taskId: job.taskId, cubeId: job.cubeId, messageIds: [] });
  }
  return { existingMessageIds, jobs };
}
