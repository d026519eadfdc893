import type { MemoryRecord, MemoryType, MessageRole } from "../store/types.js";
import type { MemoryContext } from "./context.js";
import { CubeWriteRefused } from "../store/store.js";
import { checkWritable } from "./cubes.js";
import { DomainError, cubeForbidden } from "./errors.js";
import { wordsOf } from "./words.js";

export interface IncomingMessage {
  role: MessageRole;
  content: string;
  /** ISO 8601 UTC; absent means now. */
  chatTime?: string;
  messageId?: string;
}

export interface AddRequest {
  userId: string;
  cubeIds: readonly string[];
  sessionId: string;
  messages: readonly IncomingMessage[];
  mode?: "fast" | "fine";
  tags?: readonly string[];
  info?: Record<string, unknown>;
}

const memoryTypeOf = (role: MessageRole): MemoryType => (role === "user" ? "UserMemory" : "LongTermMemory");

/** Vectors for the texts the embedder can represent, null for the others. */
export async function embedWhereMeaningful(context: MemoryContext, texts: readonly string[]): Promise<(Float32Array | null)[]> {
  const positions = texts.flatMap((text, index) => (context.embedder.represents(text) ? [index] : []));
  const vectors = await context.embedder.embed(positions.map((index) => texts[index] ?? ""));
  const result: (Float32Array | null)[] = texts.map(() => null);
  positions.forEach((position, index) => (result[position] = vectors[index] ?? null));
  return result;
}

/**
 * Fast mode: every message becomes one memory, as written, stored and indexed before this returns.
 * A message whose id the cube already holds is not added again; its memories are returned instead.
 */
export async function addMessages(context: MemoryContext, request: AddRequest): Promise<MemoryRecord[]> {
  await checkWritable(context, request.userId, request.cubeIds);
  if (request.mode === "fine") {
    throw new DomainError(
      "invalid",
      "mode: 'fine' (LLM extraction) needs an extraction model, and this server has none; use mode 'fast' or leave mode out",
    );
  }
  const now = context.now().toISOString();
  const messages = request.messages.map((message) => ({
    ...message,
    messageId: message.messageId ?? crypto.randomUUID(),
    chatTime: message.chatTime ?? now,
  }));
  // Embed before creating anything: a failing embedder leaves no empty cube behind.
  const vectors = await embedWhereMeaningful(context, messages.map((message) => message.content));
  const keywords = messages.map((message) => wordsOf(message.content).join(" "));
  const entries = request.cubeIds.flatMap((cubeId) =>
    messages.map((message, index) => ({
      message: { cubeId, messageId: message.messageId, sessionId: request.sessionId, role: message.role, content: message.content, chatTime: message.chatTime, createdAt: now },
      memory: {
        id: crypto.randomUUID(),
        cubeId,
        userId: request.userId,
        sessionId: request.sessionId,
        text: message.content,
        memoryType: memoryTypeOf(message.role),
        key: "",
        tags: [...(request.tags ?? [])],
        confidence: 1,
        source: "conversation" as const,
        background: "",
        info: { ...(request.info ?? {}) },
        chatTime: message.chatTime,
        createdAt: now,
        updatedAt: now,
        sourceMessageIds: [message.messageId],
        vector: vectors[index] ?? null,
        keywords: keywords[index] ?? "",
      },
    })),
  );
  // One transaction for every cube, which checks access again as it writes (it may have changed
  // while the messages were embedded): the add is stored everywhere or nowhere.
  try {
    await context.store.addConversation({ userId: request.userId, now, entries });
  } catch (error) {
    if (error instanceof CubeWriteRefused) throw cubeForbidden(request.userId, error.cubeId, "write");
    throw error;
  }
  const added: MemoryRecord[] = [];
  const messageIds = [...new Set(messages.map((message) => message.messageId))];
  for (const cubeId of request.cubeIds) {
    // Read back by message id: new and already-held messages alike, in the order they were sent.
    const memories = await context.store.memoriesFromMessages(cubeId, messageIds);
    const byMessage = new Map(memories.map((memory) => [memory.sources[0]?.messageId, memory]));
    for (const messageId of messageIds) {
      const memory = byMessage.get(messageId);
      if (memory) added.push(memory);
    }
  }
  return added;
}
