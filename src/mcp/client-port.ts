/**
 * The tools over a running memcube, through memcube's client (`memcube mcp --url`): each tool is
 * one API call, so the server's keys and cube rules decide, and its error messages are passed on.
 */
import { MemcubeClient, MemcubeError, type GraphNode, type MemoryItem } from "../client/index.js";
import { fileMessage, storedDocument, type ChunkRecord } from "./documents.js";
import type { AddInput, ChatInput, DocumentInput, FeedbackInput, FeedbackOutcome, ListInput, MemoryPort, SearchInput, ToolMemory } from "./port.js";
import { ToolFailure } from "./port.js";

type Metadata = GraphNode["metadata"];

const toolMemory = (id: string, text: string, metadata: Metadata, relevance?: number | null): ToolMemory => ({
  id,
  cubeId: metadata.cube_id,
  text,
  memoryType: metadata.memory_type,
  source: metadata.source ?? "conversation",
  sessionId: metadata.session_id,
  tags: metadata.tags,
  createdAt: metadata.created_at,
  chatTime: metadata.chat_time,
  ...(relevance !== undefined && relevance !== null && { relevance }),
});

const hit = (item: MemoryItem) => toolMemory(item.id, item.memory, item.metadata, item.metadata.relativity);

/** The server's refusal as the tool's error (its message is the API's own); a network failure names the server. */
async function call<T>(baseUrl: string, run: () => Promise<T>, reword: (message: string) => string = (message) => message): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof MemcubeError) throw new ToolFailure(reword(error.message));
    if (error instanceof TypeError && /fetch failed/.test(error.message)) {
      throw new ToolFailure(`cannot reach memcube at ${baseUrl} (is \`memcube serve\` running?)`);
    }
    throw error;
  }
}

export interface ClientPortOptions {
  baseUrl: string;
  userId: string;
  apiKey?: string | undefined;
  readOnly: boolean;
}

/** Asks the server for its chat models once, so chat_with_memory is offered only where it can answer. */
export async function clientPort(options: ClientPortOptions): Promise<MemoryPort> {
  const { baseUrl, userId } = options;
  const client = new MemcubeClient({ baseUrl, userId, apiKey: options.apiKey });
  const models = await call(baseUrl, () => client.models());
  const cubes = (cubeIds: string[] | undefined) => (cubeIds && cubeIds.length > 0 ? cubeIds : undefined);
  return {
    userId,
    readOnly: options.readOnly,
    chatAvailable: models.models.length > 0,

    search: (input: SearchInput, signal: AbortSignal) =>
      call(baseUrl, async () => {
        const found = await client.search(
          { query: input.query, readable_cube_ids: cubes(input.cubeIds), top_k: input.topK, ...(input.filter !== undefined && { filter: input.filter }) },
          { signal },
        );
        return found.text_mem.map(({ cube_id, memories }) => {
          const preferences = found.pref_mem.find((bucket) => bucket.cube_id === cube_id)?.memories ?? [];
          const ranked = [...memories, ...preferences].map(hit).sort((a, b) => (b.relevance ?? 0) - (a.relevance ?? 0));
          return { cubeId: cube_id, memories: ranked.slice(0, input.topK ?? 10) };
        });
      }),

    add: (input: AddInput, signal: AbortSignal) =>
      call(baseUrl, async () => {
        const added = await client.add(
          {
            messages: input.messages,
            ...(input.cubeId !== undefined && { writable_cube_ids: [input.cubeId] }),
            ...(input.sessionId !== undefined && { session_id: input.sessionId }),
            ...(input.mode !== undefined && { mode: input.mode }),
          },
          { signal },
        );
        return added.map((memory) => ({
          id: memory.memory_id,
          cubeId: memory.cube_id,
          text: memory.memory,
          memoryType: memory.memory_type,
          ...(memory.task_id !== undefined && { taskId: memory.task_id }),
        }));
      }),

    chat: (input: ChatInput, signal: AbortSignal) =>
      call(baseUrl, async () => {
        const cubeIds = cubes(input.cubeIds);
        const answer = await client.chat(
          {
            query: input.query,
            ...(cubeIds && { readable_cube_ids: cubeIds, writable_cube_ids: cubeIds }),
            ...(input.sessionId !== undefined && { session_id: input.sessionId }),
            ...(input.model !== undefined && { model_name_or_path: input.model }),
            add_message_on_answer: !options.readOnly,
          },
          { signal },
        );
        return { answer: answer.response, references: answer.references.map(hit) };
      }),

    get: (id: string, signal: AbortSignal) =>
      call(baseUrl, async () => {
        const found = await client.memories.get(id, {}, { signal });
        return found === null ? undefined : toolMemory(found.id, found.memory, found.metadata);
      }),

    list: (input: ListInput, signal: AbortSignal) =>
      call(baseUrl, async () => {
        const cubeId = input.cubeId ?? userId;
        const listed = await client.memories.list({ mem_cube_id: cubeId, page: input.page, page_size: input.pageSize, include_preference: true }, { signal });
        const buckets = [...listed.text_mem, ...listed.pref_mem];
        const memories = buckets
          .flatMap((bucket) => bucket.memories.map((node) => toolMemory(node.id, node.memory, node.metadata)))
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .slice(0, input.pageSize);
        return { cubeId, total: buckets.reduce((sum, bucket) => sum + bucket.total_nodes, 0), memories };
      }),

    delete: (input: { memoryIds: string[]; cubeId?: string | undefined }, signal: AbortSignal) =>
      call(baseUrl, async () => {
        const result = await client.memories.delete(
          { memory_ids: input.memoryIds, ...(input.cubeId !== undefined && { writable_cube_ids: [input.cubeId] }) },
          { signal },
        );
        return result.deleted;
      }),

    listCubes: (signal: AbortSignal) =>
      call(baseUrl, async () =>
        (await client.cubes.list({}, { signal })).map((cube) => ({
          cubeId: cube.cube_id,
          name: cube.cube_name,
          ownerId: cube.owner_id,
          access: cube.access,
          memoryCount: cube.memory_count,
          createdAt: cube.created_at,
        })),
      ),

    feedback: (input: FeedbackInput, signal: AbortSignal) =>
      call(baseUrl, async (): Promise<FeedbackOutcome> => {
        const [outcome] = await client.memories.feedback(
          {
            feedback_content: input.feedback,
            ...(input.cubeId !== undefined && { writable_cube_ids: [input.cubeId] }),
            ...(input.retrievedMemoryIds !== undefined && { retrieved_memory_ids: input.retrievedMemoryIds }),
            ...(input.history !== undefined && { history: input.history }),
            ...(input.correctedAnswer !== undefined && { corrected_answer: input.correctedAnswer }),
            async_mode: input.asyncMode,
          },
          { signal },
        );
        // async: `[[]]`, the work queued; sync: one `{answer, record, tasks}`.
        if (outcome === undefined || Array.isArray(outcome)) return { applied: false, updated: [], deleted: [], added: [], answer: "", unfinished: [] };
        return {
          applied: true,
          updated: outcome.record.update.map((entry) => ({ id: entry.id, text: entry.text, replacedId: entry.archived_id, replacedText: entry.origin_memory })),
          deleted: outcome.record.delete.map(({ id, text }) => ({ id, text })),
          added: outcome.record.add.map(({ id, text }) => ({ id, text })),
          answer: outcome.answer,
          unfinished: outcome.tasks
            .filter((task) => task.status !== "completed")
            .map((task) => ({ cubeId: task.cube_id, status: task.status, ...(task.error !== undefined && { error: task.error }) })),
        };
      }),

    addDocument: (input: DocumentInput, signal: AbortSignal) =>
      call(
        baseUrl,
        async () => {
          const cubeId = input.cubeId ?? userId;
          const file = {
            file_data: input.base64,
            ...(input.filename !== undefined && { filename: input.filename }),
            ...(input.fileId !== undefined && { file_id: input.fileId }),
          };
          // sync: the chunks are stored (searchable) when the add answers.
          const added = await client.add(
            { messages: [{ role: "user", content: [{ type: "file", file }] }], writable_cube_ids: [cubeId], async_mode: "sync" },
            { signal },
          );
          const records = await chunkRecords(
            client,
            cubeId,
            added.map((memory) => memory.memory_id),
            signal,
          );
          // Chunks the listing did not find (deleted meanwhile) are still reported, without their place in the file.
          const listed = new Set(records.map((record) => record.id));
          const rest = added.filter((memory) => !listed.has(memory.memory_id)).map((memory) => ({ id: memory.memory_id, text: memory.memory, info: {} }));
          return storedDocument(cubeId, [...records, ...rest], input);
        },
        (message) => fileMessage(message, input.field),
      ),
  };
}

/**
 * The add answers the chunks' ids and texts; where each came from (file, page, headings) is in
 * their info: the first chunk names the file, and the file's chunks are listed by it.
 */
async function chunkRecords(client: MemcubeClient, cubeId: string, ids: readonly string[], signal: AbortSignal): Promise<ChunkRecord[]> {
  const [first] = ids;
  if (first === undefined) return [];
  const head = await client.memories.get(first, {}, { signal });
  const fileId = head?.metadata.info.file_id;
  if (typeof fileId !== "string") return [];
  const wanted = new Set(ids);
  const records: ChunkRecord[] = [];
  for (let page = 1; records.length < wanted.size; page++) {
    const listed = await client.memories.list(
      {
        mem_cube_id: cubeId,
        filter: { file_ids: fileId },
        page,
        page_size: 1000,
        include_preference: false,
        include_tool_memory: false,
        include_skill_memory: false,
      },
      { signal },
    );
    const nodes = listed.text_mem.flatMap((bucket) => bucket.memories);
    if (nodes.length === 0) break;
    for (const node of nodes) if (wanted.has(node.id)) records.push({ id: node.id, text: node.memory, info: node.metadata.info });
  }
  return records;
}
