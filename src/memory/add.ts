import type { MemoryRecord, MemorySourceKind, MemoryType, MessageRole, NewJob } from "../store/types.js";
import type { MemoryContext } from "./context.js";
import { CubeWriteRefused, type ConversationWrite } from "../store/store.js";
import { checkWritable } from "./cubes.js";
import { DomainError, cubeForbidden } from "./errors.js";
import { EXTRACT_JOB, type ExtractPayload } from "./extract/job-payload.js";
import { indexTextOf } from "./index-terms.js";
import { encodeInfo } from "../store/info-json.js";
import { tagBytesOf } from "../store/tag-sets.js";

export interface IncomingMessage {
  role: MessageRole;
  content: string;
  /** ISO 8601 UTC; absent means now. */
  chatTime?: string;
  /**
   * What this message's memory keeps beside the add's info, e.g. a conversation time written as free
   * text ("yesterday evening", while the add time orders the message) or the file a message is.
   */
  ownInfo?: Record<string, unknown>;
  messageId?: string;
  /** What the message is: a turn of the conversation (default), or a file the client sent. */
  source?: MemorySourceKind;
}

export interface AddRequest {
  userId: string;
  cubeIds: readonly string[];
  sessionId: string;
  messages: readonly IncomingMessage[];
  /** Left out: fine when an extraction model is configured, else fast. */
  mode?: "fast" | "fine";
  /** Fine mode only: "sync" answers after extraction, "async" (default) right after storing. */
  asyncMode?: "async" | "sync";
  tags?: readonly string[];
  info?: Record<string, unknown>;
  /** The client's own id for the add's work, reported by the scheduler routes beside memcube's task ids. */
  clientTaskId?: string;
  /** Aborts the add (its client has gone): embedding stops and nothing is written. */
  signal?: AbortSignal;
}

/** A memory the add returns, with the extraction task covering it (fine mode). */
export interface AddedMemory {
  memory: MemoryRecord;
  taskId?: string;
}

/** A window of messages is extracted in one model call: enough context, a prompt small models handle. */
const WINDOW_MESSAGES = 20;
const WINDOW_CHARS = 12_000;
/** How long a synchronous fine add waits for its extraction before answering with the raw memories. */
const SYNC_WAIT_MS = 180_000;
/** A synchronous add's jobs are the request's to run; background runners take them only after this (a crashed request). */
const SYNC_RESERVATION_MS = 60_000;

/** The job kind recording a fast add's client task id: the add did its work in the request. */
export const ADD_RECORD_JOB = "add";

const memoryTypeOf = (role: MessageRole): MemoryType => (role === "user" ? "UserMemory" : "LongTermMemory");

/** Vectors for the texts the embedder can represent, null for the others. */
export async function embedWhereMeaningful(context: MemoryContext, texts: readonly string[], signal?: AbortSignal): Promise<(Float32Array | null)[]> {
  const positions = texts.flatMap((text, index) => (context.embedder.represents(text) ? [index] : []));
  const vectors = await context.embedder.embed(
    positions.map((index) => texts[index] ?? ""),
    signal ? { signal } : {},
  );
  const result: (Float32Array | null)[] = texts.map(() => null);
  positions.forEach((position, index) => (result[position] = vectors[index] ?? null));
  return result;
}

/** Consecutive messages cut into extraction windows (by count and by length). */
function windowsOf<T extends { content: string }>(messages: readonly T[]): T[][] {
  const windows: T[][] = [];
  let current: T[] = [];
  let chars = 0;
  for (const message of messages) {
    if (current.length > 0 && (current.length >= WINDOW_MESSAGES || chars + message.content.length > WINDOW_CHARS)) {
      windows.push(current);
      current = [];
      chars = 0;
    }
    current.push(message);
    chars += message.content.length;
  }
  if (current.length > 0) windows.push(current);
  return windows;
}

/**
 * What an add stores in each cube it writes, counted as the store's cubeUsage counts: each message
 * twice (the message, and its memory's text), and the request's tags and info once each (at most:
 * a cube that holds the same tag list or info already does not store it again).
 */
function bytesStoredPerCube(request: RoomRequest): number {
  const utf8 = (text: string) => Buffer.byteLength(text, "utf8");
  const messages = request.messages.reduce((sum, message) => sum + 2 * utf8(message.content), 0);
  // A message's own info (a document chunk's page and span) makes an info of its own beside the add's.
  const ownInfos = new Set(
    request.messages.flatMap((message) => (message.ownInfo === undefined ? [] : [JSON.stringify({ ...request.info, ...message.ownInfo })])),
  );
  const ownBytes = [...ownInfos].reduce((sum, json) => sum + utf8(json), 0);
  return messages + tagBytesOf(request.tags ?? []) + (encodeInfo(request.info ?? {})?.bytes ?? 0) + ownBytes;
}

/** What an add would store, as far as the cube quotas are concerned. */
export type RoomRequest = Pick<AddRequest, "cubeIds" | "messages" | "tags" | "info">;

/**
 * An add that would take a cube past its quota is refused whole (413), before anything is written.
 * A chat checks its turn with it before calling the model (its answer is not known yet, and may
 * still not fit): a turn that cannot be written back is not worth paying the model for.
 */
export async function checkQuota(context: MemoryContext, request: RoomRequest): Promise<void> {
  const quota = context.cubeQuota;
  if (!quota || (quota.maxMemories <= 0 && quota.maxBytes <= 0)) return;
  const bytes = bytesStoredPerCube(request);
  for (const cubeId of request.cubeIds) {
    const usage = await context.store.cubeUsage(cubeId);
    if (quota.maxMemories > 0 && usage.memories + request.messages.length > quota.maxMemories) {
      throw new DomainError(
        "full",
        `cube '${cubeId}' is full: ${usage.memories} of ${quota.maxMemories} memories (MEMCUBE_CUBE_MAX_MEMORIES); delete some first`,
      );
    }
    if (quota.maxBytes > 0 && usage.bytes + bytes > quota.maxBytes) {
      throw new DomainError(
        "full",
        `cube '${cubeId}' is full: ${usage.bytes} of ${quota.maxBytes} bytes (MEMCUBE_CUBE_MAX_BYTES) are stored, and this add would store ${bytes} more; delete some first`,
      );
    }
  }
}

function isFine(context: MemoryContext, mode: AddRequest["mode"]): boolean {
  if (mode === "fine" && !context.fine) {
    throw new DomainError(
      "invalid",
      "mode: 'fine' (LLM extraction) needs an extraction model, and this server has none: set MEMRADER_API_BASE, MEMRADER_API_KEY and MEMRADER_MODEL, or MEMCUBE_EXTRACT_MODEL to a CHAT_MODEL_LIST name; or use mode 'fast'",
    );
  }
  return (mode ?? (context.fine ? "fine" : "fast")) === "fine";
}

/**
 * Every message becomes one memory, as written, stored and indexed before this returns. A
 * message whose id the cube already holds is not added again; its memories are returned instead.
 * In fine mode the same transaction queues extraction jobs over the new messages (one per window
 * and cube); "sync" then runs them before answering with what they produced.
 */
export async function addMessages(context: MemoryContext, request: AddRequest): Promise<AddedMemory[]> {
  await checkWritable(context, request.userId, request.cubeIds);
  await checkQuota(context, request);
  const fine = isFine(context, request.mode);
  const sync = fine && request.asyncMode === "sync";
  const now = context.now().toISOString();
  const messages = request.messages.map((message) => ({
    ...message,
    messageId: message.messageId ?? crypto.randomUUID(),
    chatTime: message.chatTime ?? now,
  }));
  // Embed before creating anything: a failing embedder leaves no empty cube behind.
  const vectors = await embedWhereMeaningful(
    context,
    messages.map((message) => message.content),
    request.signal,
  );
  const keywords = messages.map((message) => indexTextOf(message.content));
  // One object for every memory of the add: the store keeps each once per cube, not once per memory.
  const info = request.info ?? {};
  const tags = [...(request.tags ?? [])];
  const entries = request.cubeIds.flatMap((cubeId) =>
    messages.map((message, index) => ({
      message: {
        cubeId,
        messageId: message.messageId,
        sessionId: request.sessionId,
        role: message.role,
        content: message.content,
        chatTime: message.chatTime,
        createdAt: now,
      },
      memory: {
        id: crypto.randomUUID(),
        cubeId,
        userId: request.userId,
        sessionId: request.sessionId,
        text: message.content,
        memoryType: memoryTypeOf(message.role),
        key: "",
        tags,
        confidence: 1,
        source: message.source ?? "conversation",
        background: "",
        info: message.ownInfo === undefined ? info : { ...info, ...message.ownInfo },
        chatTime: message.chatTime,
        createdAt: now,
        updatedAt: now,
        sourceMessageIds: [message.messageId],
        vector: vectors[index] ?? null,
        keywords: keywords[index] ?? "",
      },
    })),
  );
  // No info in the jobs (one per window and cube): refinement takes it from the raw memories.
  const payload: Omit<ExtractPayload, "messageIds" | "memoryIds" | "info"> = {
    sessionId: request.sessionId,
    tags: [...(request.tags ?? [])],
    ...(request.clientTaskId !== undefined && { clientTaskId: request.clientTaskId }),
  };
  const runAfter = sync ? new Date(Date.parse(now) + SYNC_RESERVATION_MS).toISOString() : now;
  const jobs: NewJob[] = fine
    ? request.cubeIds.flatMap((cubeId) =>
        windowsOf(messages).map((window) => ({
          taskId: crypto.randomUUID(),
          kind: EXTRACT_JOB,
          cubeId,
          userId: request.userId,
          messageIds: window.map((message) => message.messageId),
          payload,
          runAfter,
        })),
      )
    : fastTaskRecords(request, now);
  // One transaction for every cube, which checks access again as it writes (it may have changed
  // while the messages were embedded): the add is stored everywhere or nowhere, with its jobs.
  let write: ConversationWrite;
  request.signal?.throwIfAborted(); // a client gone while its add was embedded gets nothing written
  try {
    write = await context.store.addConversation({ userId: request.userId, now, entries, jobs });
  } catch (error) {
    if (error instanceof CubeWriteRefused) throw cubeForbidden(request.userId, error.cubeId, "write");
    throw error;
  }
  if (sync && write.jobs.length > 0)
    await context.fine?.jobs.settle(
      write.jobs.map((job) => job.taskId),
      Date.now() + SYNC_WAIT_MS,
    );
  const added = await readBack(context, request.cubeIds, [...new Set(messages.map((message) => message.messageId))], write.jobs, sync);
  if (!sync && write.jobs.length > 0) context.fine?.jobs.wake();
  return added;
}

/**
 * A fast add's client task id, as MemOS reports it: one finished job per cube, written with the
 * memories (MemOS schedules an add's work under the id; memcube's fast add has done it on return).
 */
function fastTaskRecords(request: AddRequest, now: string): NewJob[] {
  const clientTaskId = request.clientTaskId;
  if (clientTaskId === undefined) return [];
  return request.cubeIds.map((cubeId) => ({
    taskId: crypto.randomUUID(),
    kind: ADD_RECORD_JOB,
    cubeId,
    userId: request.userId,
    messageIds: [],
    payload: { clientTaskId, sessionId: request.sessionId },
    runAfter: now,
    finished: { mode: "fast", messages: request.messages.length },
  }));
}

/**
 * What the add answers, per cube in the order the messages were sent: each message's memory (new
 * or already held), with the task that refines it; for a finished synchronous extraction, the
 * memories it produced instead of the raw ones it replaced.
 */
async function readBack(
  context: MemoryContext,
  cubeIds: readonly string[],
  messageIds: readonly string[],
  jobs: ConversationWrite["jobs"],
  sync: boolean,
): Promise<AddedMemory[]> {
  const added: AddedMemory[] = [];
  for (const cubeId of cubeIds) {
    const taskOf = new Map<string, string>();
    for (const job of jobs.filter((entry) => entry.cubeId === cubeId)) {
      for (const messageId of job.messageIds) taskOf.set(messageId, job.taskId);
    }
    const refined = new Map<string, MemoryRecord[]>();
    if (sync) {
      for (const taskId of new Set(taskOf.values())) {
        const job = await context.store.getJob(taskId);
        const ids = job?.status === "done" && Array.isArray(job.result?.memoryIds) ? (job.result.memoryIds as string[]) : [];
        const memories = (await context.store.getMemories(ids)).filter((memory) => memory.status === "activated");
        if (memories.length > 0) refined.set(taskId, memories);
      }
    }
    // Read back by message id: new and already-held messages alike, in the order they were sent.
    const memories = await context.store.memoriesFromMessages(cubeId, messageIds);
    const byMessage = new Map(memories.map((memory) => [memory.sources[0]?.messageId, memory]));
    const shown = new Set<string>();
    for (const messageId of messageIds) {
      const taskId = taskOf.get(messageId);
      const outcome = taskId === undefined ? undefined : refined.get(taskId);
      for (const memory of outcome ?? [byMessage.get(messageId)].filter((found) => found !== undefined)) {
        if (shown.has(memory.id)) continue;
        shown.add(memory.id);
        added.push({ memory, ...(taskId !== undefined && { taskId }) });
      }
    }
  }
  return added;
}
