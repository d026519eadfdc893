/**
 * The tools over a running memcube, through memcube's client (`memcube mcp --url`): each tool is
 * one API call, so the server's keys and cube rules decide, and its error messages are passed on.
 */
import { MemcubeClient, MemcubeError, type GraphNode, type MemoryItem } from "../client/index.js";
import type { AddInput, ChatInput, ListInput, MemoryPort, SearchInput, ToolMemory } from "./port.js";
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
async function call<T>(baseUrl: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof MemcubeError) throw new ToolFailure(error.message);
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
  };
}
