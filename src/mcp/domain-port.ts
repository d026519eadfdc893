/**
 * The tools over the domain functions of this process, as the HTTP routes call them (src/api/routes/
 * memory.ts, cubes.ts, chat.ts, feedback.ts): the same defaults, the same cube rules (the domain checks them for
 * the port's user), no HTTP round-trip.
 */
import { prepareChat, runChat, type ChatDeps } from "../chat/pipeline.js";
import type { PromptMemory } from "../chat/prompt.js";
import type { Limits } from "../config/index.js";
import { addMessages } from "../memory/add.js";
import { getMemory, listMemories } from "../memory/browse.js";
import type { MemoryContext } from "../memory/context.js";
import { listCubes } from "../memory/cubes.js";
import { addDocuments } from "../memory/documents.js";
import { DomainError } from "../memory/errors.js";
import { mergedResult, submitFeedback } from "../memory/feedback/submit.js";
import { cubesHolding, deleteMemories } from "../memory/forget.js";
import { searchMemories, textMemoryTypes } from "../memory/search.js";
import type { MemoryFilter, MemoryRecord, MemoryType } from "../store/types.js";
import { fileMessage, storedDocument } from "./documents.js";
import {
  ToolFailure,
  type AddInput,
  type ChatInput,
  type DocumentInput,
  type FeedbackInput,
  type FeedbackOutcome,
  type ListInput,
  type MemoryPort,
  type SearchInput,
  type ToolMemory,
} from "./port.js";

export interface DomainPortDeps {
  context: MemoryContext;
  limits: Limits;
  /** The chat pipeline's parts; without a configured model chat_with_memory is not offered. */
  chat?: ChatDeps | undefined;
  /** MemOS's filter object to the store's filter (the API's parser); throws a ToolFailure naming the field. */
  parseFilter: (filter: Record<string, unknown>) => MemoryFilter;
}

const TEXT_TYPES: readonly MemoryType[] = ["WorkingMemory", "LongTermMemory", "UserMemory"];
/** The session the HTTP API files an add under when none is named. */
const DEFAULT_SESSION = "default_session";

export const toolMemory = (memory: MemoryRecord, relevance?: number): ToolMemory => ({
  id: memory.id,
  cubeId: memory.cubeId,
  text: memory.text,
  memoryType: memory.memoryType,
  source: memory.source,
  sessionId: memory.sessionId,
  tags: memory.tags,
  createdAt: memory.createdAt,
  chatTime: memory.chatTime,
  ...(relevance !== undefined && { relevance }),
});

/** The API's size limits on what is stored (its schemas check them there): its messages, naming the setting. */
function checkSize(texts: readonly string[], limits: Limits, field = "messages"): void {
  if (texts.length > limits.messagesPerAdd) throw new ToolFailure(`${field}: more than ${limits.messagesPerAdd} messages (MEMCUBE_MAX_MESSAGES_PER_ADD)`);
  texts.forEach((text, index) => {
    if (text.length > limits.charsPerMessage) {
      const where = texts.length === 1 && field !== "messages" ? field : `${field}.${index}.content`;
      throw new ToolFailure(`${where}: longer than ${limits.charsPerMessage} characters (MEMCUBE_MAX_MESSAGE_CHARS)`);
    }
  });
}

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high);

export function domainPort(deps: DomainPortDeps, userId: string, options: { readOnly: boolean }): MemoryPort {
  const { context, limits } = deps;
  const chat = deps.chat;
  const ownOr = (cubeIds: readonly string[] | undefined) => [...new Set(cubeIds && cubeIds.length > 0 ? cubeIds : [userId])];
  return {
    userId,
    readOnly: options.readOnly,
    chatAvailable: chat !== undefined && chat.models.names().length > 0,

    async search(input: SearchInput, signal: AbortSignal) {
      const topK = clamp(input.topK ?? 10, 1, limits.maxTopK);
      const result = await searchMemories(context, {
        userId,
        query: input.query,
        cubeIds: ownOr(input.cubeIds),
        topK,
        minRelevance: 0,
        dedup: "mmr",
        filter: input.filter === undefined ? undefined : deps.parseFilter(input.filter),
        memoryTypes: textMemoryTypes("All"),
        // A preference is a memory like another here: one ranked list per cube.
        includePreference: true,
        preferenceTopK: topK,
        signal,
      });
      return result.text.map(({ cubeId, memories }) => {
        const preferences = result.preference.find((bucket) => bucket.cubeId === cubeId)?.memories ?? [];
        const ranked = [...memories, ...preferences].sort((a, b) => b.relevance - a.relevance).slice(0, topK);
        return { cubeId, memories: ranked.map(({ memory, relevance }) => toolMemory(memory, relevance)) };
      });
    },

    async add(input: AddInput, signal: AbortSignal) {
      checkSize(
        input.messages.map(({ content }) => content),
        limits,
      );
      const added = await addMessages(context, {
        userId,
        cubeIds: ownOr(input.cubeId === undefined ? undefined : [input.cubeId]),
        sessionId: input.sessionId ?? DEFAULT_SESSION,
        messages: input.messages,
        mode: input.mode,
        signal,
      });
      return added.map(({ memory, taskId }) => ({
        id: memory.id,
        cubeId: memory.cubeId,
        text: memory.text,
        memoryType: memory.memoryType,
        ...(taskId !== undefined && { taskId }),
      }));
    },

    async chat(input: ChatInput, signal: AbortSignal) {
      if (!chat) throw new Error("chat_with_memory called without a chat model");
      checkSize([input.query], limits, "query");
      const cubeIds = ownOr(input.cubeIds);
      const prepared = await prepareChat(chat, {
        userId,
        query: input.query,
        readableCubeIds: cubeIds,
        writableCubeIds: cubeIds,
        history: [],
        topK: 10,
        sessionId: input.sessionId ?? DEFAULT_SESSION,
        modelName: input.model,
        // A read-only session remembers nothing, as a read-only key's chats on the API.
        addMessageOnAnswer: !options.readOnly,
        threshold: 0,
        includePreference: true,
        preferenceTopK: 6,
      });
      let answer = "";
      let used: PromptMemory[] = [];
      for await (const event of runChat(chat, prepared, { stream: false, signal })) {
        if (event.type === "text") answer += event.text;
        if (event.type === "reference") used = event.memories;
      }
      return { answer, references: used.map(({ memory, relevance }) => toolMemory(memory, relevance)) };
    },

    async get(id: string) {
      const found = await getMemory(context, userId, id);
      return found && toolMemory(found.memory);
    },

    async list(input: ListInput) {
      const cubeId = input.cubeId ?? userId;
      const [listing] = await listMemories(context, {
        userId,
        cubeIds: [cubeId],
        memoryTypes: [...TEXT_TYPES, "PreferenceMemory"],
        page: { offset: (input.page - 1) * input.pageSize, limit: input.pageSize },
      });
      return { cubeId, total: listing?.total ?? 0, memories: (listing?.memories ?? []).map((memory) => toolMemory(memory)) };
    },

    async delete(input: { memoryIds: string[]; cubeId?: string | undefined }) {
      const cubeIds = input.cubeId !== undefined ? [input.cubeId] : await cubesHolding(context, input.memoryIds);
      // Ids no cube holds delete nothing; the user's own cube stands in so the access rule still runs.
      return deleteMemories(context, { userId, cubeIds: cubeIds.length > 0 ? cubeIds : [userId], selector: { memoryIds: input.memoryIds } });
    },

    async listCubes() {
      return (await listCubes(context, userId)).map(({ cube, access, memories }) => ({
        cubeId: cube.id,
        name: cube.name,
        ownerId: cube.ownerId,
        access,
        memoryCount: memories,
        createdAt: cube.createdAt,
      }));
    },

    async feedback(input: FeedbackInput): Promise<FeedbackOutcome> {
      checkSize([input.feedback], limits, "feedback");
      const history = input.history ?? [];
      history.forEach(({ content }, index) => checkSize([content], limits, `history.${index}.content`));
      const tasks = await submitFeedback(context, {
        userId,
        cubeIds: ownOr(input.cubeId === undefined ? undefined : [input.cubeId]),
        sessionId: DEFAULT_SESSION,
        feedback: input.feedback,
        history,
        retrievedMemoryIds: input.retrievedMemoryIds ?? [],
        asyncMode: input.asyncMode,
        correctedAnswer: input.correctedAnswer ?? false,
      });
      const { record, answer } = mergedResult(tasks);
      return {
        applied: input.asyncMode === "sync",
        updated: record.update.map((entry) => ({ id: entry.id, text: entry.text, replacedId: entry.archived_id, replacedText: entry.origin_memory })),
        deleted: record.delete.map(({ id, text }) => ({ id, text })),
        added: record.add.map(({ id, text }) => ({ id, text })),
        answer,
        unfinished:
          input.asyncMode === "sync"
            ? tasks
                .filter((task) => task.status !== "completed")
                .map((task) => ({ cubeId: task.cubeId, status: task.status, ...(task.error !== undefined && { error: task.error }) }))
            : [],
      };
    },

    async addDocument(input: DocumentInput, signal: AbortSignal) {
      const cubeId = input.cubeId ?? userId;
      const file = {
        path: input.field,
        data: input.base64,
        ...(input.fileId !== undefined && { fileId: input.fileId }),
        ...(input.filename !== undefined && { filename: input.filename }),
      };
      try {
        // sync: the tool answers with the chunks stored, searchable at once.
        const stored = await addDocuments(context, { userId, cubeIds: [cubeId], sessionId: DEFAULT_SESSION, files: [file], asyncMode: "sync", signal });
        return storedDocument(
          cubeId,
          stored.added.map(({ memory }) => ({ id: memory.id, text: memory.text, info: memory.info })),
          input,
        );
      } catch (error) {
        if (error instanceof DomainError) throw new ToolFailure(fileMessage(error.message, input.field));
        throw error;
      }
    },
  };
}
