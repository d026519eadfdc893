import { z } from "zod";
import type { Limits } from "../../config/index.js";
import { addMessages } from "../../memory/add.js";
import { AnswerBudget } from "../../memory/answer-budget.js";
import { getMemory, listMemories, type CubeListing } from "../../memory/browse.js";
import type { MemoryContext } from "../../memory/context.js";
import { cubesHolding, deleteMemories } from "../../memory/forget.js";
import { submitFeedback } from "../../memory/feedback/submit.js";
import { searchMemories, textMemoryTypes, type CubeMemories } from "../../memory/search.js";
import type { MemoryType, Page } from "../../store/types.js";
import type { App } from "../app-env.js";
import { incomingFiles, incomingMessages } from "../add-messages.js";
import { addDocuments } from "../../memory/documents.js";
import { clientGone } from "../client-gone.js";
import { deleteMode } from "../delete-mode.js";
import { addNotice, clampWithNotice } from "../notice.js";
import { parseFilter } from "../filter.js";
import { memoryGraph } from "../memory-graph.js";
import { preferenceContext } from "../preference-note.js";
import { graphNode, memoryItem, memoryVersion, storedItem } from "../present.js";
import { postJson, queryJson } from "../route.js";
import { FeedbackData } from "../schemas/feedback.js";
import { FEEDBACK_MESSAGE, feedbackData, feedbackOfAdd } from "../feedback-request.js";
import {
  AddedMemory,
  DeleteData,
  GetAllData,
  GetMemoryData,
  MemoryWithHistory,
  SearchData,
  addRequest,
  deleteRequest,
  getAllRequest,
  getMemoryQuery,
  getMemoryRequest,
  memoryIdParam,
} from "../schemas/memory.js";
import { searchRequest } from "../schemas/memory.js";

/** The cubes a request names: the list, else the deprecated single id, else the user's own. */
export function cubesOf(list: readonly string[] | undefined, single: string | undefined, userId: string): string[] {
  return [...new Set(list ?? [single ?? userId])];
}

/** A cube's search hits, as many as fit what is left of the answer's byte budget. */
const bucket =
  (budget: AnswerBudget) =>
  ({ cubeId, memories }: CubeMemories) => {
    const { kept, truncated } = budget.take(memories, (hit) => hit.memory);
    return {
      cube_id: cubeId,
      memories: kept.map(({ memory, relevance }) => memoryItem(memory, relevance)),
      total_nodes: kept.length,
      ...(truncated && { truncated: true }),
    };
  };

/** A kind memcube does not store (tool, skill): one empty bucket per cube searched, as MemOS sends. */
export const emptyBuckets = (cubeIds: readonly string[]) => cubeIds.map((cubeId) => ({ cube_id: cubeId, memories: [], total_nodes: 0 }));

/**
 * MemOS's preference context: `pref_string` only when one cube was searched and it had preference
 * hits; `pref_note` is that cube's note, or the notes of several cubes joined with " | ".
 */
function preferenceFields(preferences: readonly CubeMemories[], cubeCount: number): { pref_note: string; pref_string?: string } {
  const perCube = preferences.flatMap(({ memories }) => preferenceContext(memories.map(({ memory }) => memory.text)) ?? []);
  if (cubeCount === 1 && perCube[0]) return perCube[0];
  return { pref_note: perCube.map((context) => context.pref_note).join(" | ") };
}

export const nodeBucket = ({ cubeId, memories, total, truncated }: CubeListing) => ({
  cube_id: cubeId,
  memories: memories.map(graphNode),
  total_nodes: total,
  ...(truncated && { truncated: true }),
});

export function pageOf(page: number | undefined, pageSize: number): Page | undefined {
  return page === undefined ? undefined : { offset: (page - 1) * pageSize, limit: pageSize };
}

export const TEXT_MEMORY_TYPES: readonly MemoryType[] = ["WorkingMemory", "LongTermMemory", "UserMemory"];

/** What each get_all memory_type lists: MemOS's activation and parametric memories do not exist in memcube. */
const GET_ALL_TYPES: Record<z.infer<typeof getAllRequest>["memory_type"], readonly MemoryType[]> = {
  text_mem: TEXT_MEMORY_TYPES,
  pref_mem: ["PreferenceMemory"],
  act_mem: [],
  para_mem: [],
  param_mem: [],
};

export function memoryRoutes(app: App, context: MemoryContext, limits: Limits): void {
  postJson(
    app,
    limits,
    {
      path: "/product/add",
      actor: "user_id",
      actorCube: (body) => body.writable_cube_ids?.[0] ?? body.mem_cube_id,
      tag: "memory",
      summary: "Add messages to memory cubes",
      body: addRequest(limits),
      data: z.union([z.array(AddedMemory), FeedbackData]),
      // Feedback answers [[]] (async) or [{answer, record}] (sync); an add answers its memories.
      message: (data) => (data.some((entry) => Array.isArray(entry) || "record" in entry) ? FEEDBACK_MESSAGE : "Memory added successfully"),
    },
    async (body, c) => {
      const cubeIds = cubesOf(body.writable_cube_ids, body.mem_cube_id, body.user_id);
      const feedback = feedbackOfAdd(context, body, cubeIds);
      if (feedback) return feedbackData(c, feedback, await submitFeedback(context, feedback));
      if (body.is_feedback) addNotice(c, "is_feedback: stored as a normal add (feedback needs an extraction model and a user message)");
      const messages = incomingMessages(body, limits.charsPerMessage);
      const files = incomingFiles(body);
      if (messages.length === 0 && files.length === 0) {
        // MemOS takes an add with nothing in it; a client that meant to send something is told.
        addNotice(c, "nothing to store: the add holds no message with text");
        return [];
      }
      const info = body.source === undefined ? body.info : { ...body.info, source: body.source };
      // Documents first: every file is read before anything is written, so an unreadable one refuses the add whole.
      const documents =
        files.length === 0
          ? { added: [], tasks: [], notices: [] }
          : await addDocuments(context, {
              userId: body.user_id,
              cubeIds,
              sessionId: body.session_id,
              files,
              asyncMode: body.async_mode,
              ...(body.task_id !== undefined && { clientTaskId: body.task_id }),
              ...(body.custom_tags !== undefined && { tags: body.custom_tags }),
              ...(info !== undefined && { info }),
              signal: clientGone(c).signal,
            });
      // A header carries ASCII only: a file's name in another script is sent \u-escaped.
      for (const notice of documents.notices)
        addNotice(
          c,
          notice.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`),
        );
      const memories =
        messages.length === 0
          ? []
          : await addMessages(context, {
              userId: body.user_id,
              cubeIds,
              sessionId: body.session_id,
              messages,
              mode: body.mode,
              asyncMode: body.async_mode,
              tags: body.custom_tags,
              info,
              ...(body.task_id !== undefined && { clientTaskId: body.task_id }),
              signal: clientGone(c).signal,
            });
      return [...documents.added, ...memories].map(({ memory, taskId }) => ({
        memory: memory.text,
        memory_id: memory.id,
        memory_type: memory.memoryType,
        cube_id: memory.cubeId,
        ...(taskId !== undefined && { task_id: taskId }),
      }));
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/search",
      actor: "user_id",
      readOnly: true,
      tag: "memory",
      summary: "Search memories by meaning and keywords",
      body: searchRequest(limits),
      data: SearchData,
      message: "Search completed successfully",
    },
    async (body, c) => {
      const result = await searchMemories(context, {
        userId: body.user_id,
        query: body.query,
        cubeIds: cubesOf(body.readable_cube_ids, body.mem_cube_id, body.user_id),
        topK: clampWithNotice(c, "top_k", body.top_k, 1, limits.maxTopK),
        sessionId: body.session_id,
        minRelevance: clampWithNotice(c, "relativity", body.relativity, 0, 1),
        dedup: body.dedup,
        filter: body.filter === undefined ? undefined : parseFilter(body.filter),
        memoryTypes: textMemoryTypes(body.search_memory_type),
        includePreference: body.include_preference && body.pref_top_k > 0,
        preferenceTopK: clampWithNotice(c, "pref_top_k", body.pref_top_k, 0, limits.maxTopK),
        signal: clientGone(c).signal,
      });
      const budget = new AnswerBudget();
      const cubeIds = result.text.map(({ cubeId }) => cubeId);
      return {
        text_mem: result.text.map(bucket(budget)),
        act_mem: [],
        para_mem: [],
        pref_mem: result.preference.map(bucket(budget)),
        ...preferenceFields(result.preference, cubeIds.length),
        tool_mem: emptyBuckets(cubeIds),
        skill_mem: emptyBuckets(cubeIds),
      };
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/get_all",
      actor: "user_id",
      readOnly: true,
      tag: "memory",
      summary: "List the memories of cubes",
      body: getAllRequest,
      data: GetAllData,
      message: "Memories retrieved successfully",
    },
    async (body) => {
      const memoryTypes = GET_ALL_TYPES[body.memory_type];
      if (memoryTypes.length === 0) return [];
      const listings = await listMemories(context, {
        userId: body.user_id,
        cubeIds: cubesOf(body.mem_cube_ids, body.mem_cube_id, body.user_id),
        memoryTypes,
        page: pageOf(body.page, body.page_size),
        textContains: body.search_query,
        ...(body.filter !== undefined && { filter: parseFilter(body.filter) }),
        countTypes: true,
      });
      return listings.map(memoryGraph);
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/get_memory",
      actor: "user_id",
      actorCube: (body) => body.mem_cube_id,
      readOnly: true,
      tag: "memory",
      summary: "List the memories of one cube",
      body: getMemoryRequest,
      data: GetMemoryData,
      message: "Memories retrieved successfully",
    },
    async (body) => {
      const filter = body.filter === undefined ? undefined : parseFilter(body.filter);
      const listing = async (memoryTypes: readonly MemoryType[]) =>
        (
          await listMemories(context, {
            userId: body.user_id,
            cubeIds: [body.mem_cube_id],
            memoryTypes,
            page: pageOf(body.page, body.page_size),
            ...(filter !== undefined && { filter }),
          })
        ).map(nodeBucket);
      return {
        text_mem: await listing(TEXT_MEMORY_TYPES),
        pref_mem: body.include_preference ? await listing(["PreferenceMemory"]) : [],
        tool_mem: body.include_tool_memory ? emptyBuckets([body.mem_cube_id]) : [],
        skill_mem: body.include_skill_memory ? emptyBuckets([body.mem_cube_id]) : [],
      };
    },
  );

  queryJson(
    app,
    {
      method: "get",
      path: "/product/get_memory/{id}",
      readOnly: true,
      tag: "memory",
      summary: "One memory with its sources and history",
      params: memoryIdParam,
      query: getMemoryQuery,
      actor: "user_id",
      // Open mode: the owner of the memory's cube acts. An unknown id names no cube: its own id stands
      // in (a cube nobody has), and the memory is then not found, as it would be for anyone.
      actorCube: async (_query, c) => {
        const id = c.req.param("id") ?? "";
        return (await cubesHolding(context, [id]))[0] ?? id;
      },
      data: MemoryWithHistory.nullable().describe("null when no memory has this id"),
      message: (data, { params }) => (data === null ? `Memory with ID ${params?.id ?? ""} not found` : "Memory retrieved successfully"),
    },
    async ({ params, query }) => {
      const found = await getMemory(context, query.user_id, params.id);
      if (!found) return null;
      const { memory, history, vector } = found;
      return { ...storedItem(memory, history, vector), history: history.map(memoryVersion) };
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/delete_memory",
      actor: "user_id",
      actorCube: async (body) => body.writable_cube_ids?.[0] ?? body.mem_cube_id ?? (await cubesHolding(context, body.memory_ids ?? []))[0],
      tag: "memory",
      summary: "Delete memories and forget what they were made from",
      body: deleteRequest,
      data: DeleteData,
      message: (data) => data.reason ?? "Memories deleted successfully",
    },
    async (body, c) => {
      const mode = deleteMode(body, c.get("actorNamed") === true);
      if ("failure" in mode) return { status: "failure" as const, deleted: 0, reason: mode.failure };
      // memory_ids with no cube named: the cubes that hold them (MemOS deletes ids wherever they are).
      const named = body.writable_cube_ids ?? (body.mem_cube_id === undefined ? undefined : [body.mem_cube_id]);
      const held = named === undefined && "memoryIds" in mode.selector ? await cubesHolding(context, mode.selector.memoryIds) : [];
      const cubeIds = named ?? (held.length > 0 ? held : [body.user_id]);
      const deleted = await deleteMemories(context, { userId: body.user_id, cubeIds: [...new Set(cubeIds)], selector: mode.selector });
      return { status: "success" as const, deleted };
    },
  );
}
