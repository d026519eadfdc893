import { z } from "zod";
import type { Limits } from "../../config/index.js";
import { parseChatTime } from "../../memory/time.js";
import { CubeBucket, GraphNode, Id, IdList, JsonObject, Label, MemoryId, MemoryTypeName, StoredItem, nonBlankText, text } from "./common.js";

const ChatTime = z
  .string()
  .refine((value) => parseChatTime(value) !== undefined, "expected ISO 8601 (2026-01-31T10:00:00Z) or 'YYYY-MM-DD HH:MM:SS'");

const TextPart = z.object({ type: z.literal("text"), text: text(100_000_000) });

const Filter = JsonObject.describe(
  'Conditions over memory_type, session_id, created_at, chat_time, tags, info.<key>: {"and": [...]}, {"or": [...]}, {field: value} or {field: {"gt"|"gte"|"lt"|"lte"|"in"|"contains": value}}',
);

export const messageSchema = (limits: Limits) =>
  z.object({
    role: z.enum(["user", "assistant", "system"]),
    content: z.union([
      nonBlankText(limits.charsPerMessage),
      z.array(TextPart).min(1).describe("OpenAI-style content parts; the text parts are joined"),
    ]),
    chat_time: ChatTime.optional(),
    message_id: Label.optional(),
  });

export const addRequest = (limits: Limits) =>
  z
    .object({
      user_id: Id,
      writable_cube_ids: IdList.optional().describe("Cubes to write; default [user_id]. Missing cubes are created."),
      mem_cube_id: Id.optional().describe("Deprecated: one cube for reading and writing"),
      session_id: Label.default("default_session"),
      messages: z.union([
        nonBlankText(limits.charsPerMessage).describe("One user message"),
        z
          .array(messageSchema(limits))
          .min(1, "must hold at least one message")
          .max(limits.messagesPerAdd, `more than ${limits.messagesPerAdd} messages in one add`),
      ]),
      async_mode: z
        .enum(["async", "sync"])
        .default("async")
        .describe("Fine mode: async answers once the raw memories are stored and refines them in the background; sync answers after extraction"),
      mode: z
        .enum(["fast", "fine"])
        .optional()
        .describe("fast: one memory per message; fine: LLM extraction (the default when an extraction model is configured)"),
      custom_tags: z.array(nonBlankText(128)).max(64).optional(),
      info: JsonObject.optional().describe("Any JSON object, kept with the memories of the add"),
    })
    .meta({ id: "AddRequest" });
export type AddBody = z.infer<ReturnType<typeof addRequest>>;

export const AddedMemory = z.object({
  memory: z.string(),
  memory_id: z.string(),
  memory_type: MemoryTypeName,
  cube_id: z.string(),
  task_id: z.string().optional().describe("Fine mode: the extraction task refining this memory (see /product/scheduler/status)"),
});

export const searchRequest = (limits: Limits) =>
  z
    .object({
      user_id: Id,
      query: nonBlankText(limits.charsPerMessage),
      readable_cube_ids: IdList.optional().describe("Cubes to search; default [user_id]"),
      mem_cube_id: Id.optional(),
      mode: z.enum(["fast", "fine", "mixture"]).default("fast"),
      top_k: z.number().int().min(1).max(limits.maxTopK).default(10).describe("Per cube"),
      session_id: Label.optional().describe("Memories of this session rank higher"),
      relativity: z.number().min(0).max(1).default(0).describe("Leave out memories below this relevance"),
      dedup: z.enum(["mmr", "sim", "no"]).default("mmr"),
      filter: Filter.optional(),
      search_memory_type: z.union([z.literal("All"), MemoryTypeName]).default("All"),
      include_preference: z.boolean().default(true),
      pref_top_k: z.number().int().min(0).max(limits.maxTopK).default(6),
    })
    .meta({ id: "SearchRequest" });
export type SearchBody = z.infer<ReturnType<typeof searchRequest>>;

export const SearchData = z.object({
  text_mem: z.array(CubeBucket),
  pref_mem: z.array(CubeBucket),
  tool_mem: z.array(CubeBucket).describe("One empty bucket per cube: memcube stores no tool memories"),
  skill_mem: z.array(CubeBucket).describe("One empty bucket per cube: memcube stores no skill memories"),
  act_mem: z.array(z.unknown()),
  para_mem: z.array(z.unknown()),
  pref_note: z.string().describe("How to use the preferences (in the query's language); '' without preference hits"),
  pref_string: z
    .string()
    .optional()
    .describe("Single-cube searches with preference hits: the preferences as a numbered list, then pref_note, ready for a prompt"),
});

const paging = {
  page: z.number().int().min(1).optional().describe("1-based; without it every active memory is returned, up to 16 MiB of them (then `truncated`)"),
  page_size: z.number().int().min(1).max(1000).default(20),
};

export const getAllRequest = z
  .object({
    user_id: Id,
    mem_cube_ids: IdList.optional(),
    mem_cube_id: Id.optional(),
    memory_type: z
      .enum(["text_mem", "pref_mem", "act_mem", "para_mem", "param_mem"])
      .default("text_mem")
      .describe("act_mem, para_mem and param_mem hold nothing in memcube (the answer is [])"),
    search_query: text(1000).optional().describe("Only memories containing this text"),
    ...paging,
  })
  .meta({ id: "GetAllRequest" });

export const getMemoryRequest = z
  .object({
    user_id: Id,
    mem_cube_id: Id,
    include_preference: z.boolean().default(true).describe("false: pref_mem is []"),
    include_tool_memory: z.boolean().default(true).describe("false: tool_mem is []"),
    include_skill_memory: z.boolean().default(true).describe("false: skill_mem is []"),
    ...paging,
  })
  .meta({ id: "GetMemoryRequest" });

export const getMemoryQuery = z.object({ user_id: Id });
export const memoryIdParam = z.object({ id: MemoryId });

export const MemoryVersion = z.object({
  memory: z.string(),
  memory_type: MemoryTypeName,
  status: z.string(),
  replaced_by: z.string().nullable(),
  changed_at: z.string(),
  reason: z.string(),
});
export const MemoryWithHistory = StoredItem.extend({
  history: z.array(MemoryVersion).describe("memcube's form of metadata.history, oldest first"),
});

/** `{cube_id, memories, total_nodes}` of graph nodes (get_memory). */
export const NodeBucket = z.object({
  cube_id: z.string(),
  memories: z.array(GraphNode),
  total_nodes: z.number().int().describe("Every match, not only this page"),
  truncated: z.boolean().optional().describe("Memories were left out to keep the answer within 16 MiB: ask smaller pages (page_size)"),
});

export const GetMemoryData = z.object({
  text_mem: z.array(NodeBucket),
  pref_mem: z.array(NodeBucket),
  tool_mem: z.array(NodeBucket),
  skill_mem: z.array(NodeBucket),
});

/** A node of get_all's tree: the root, a memory, or the synthetic group of working memories. */
export interface TreeNode {
  id: string;
  node_name: string;
  value: string;
  memory_type: string;
  frequency?: number;
  children?: TreeNode[];
}
/** Documented one level deep: the OpenAPI generator cannot describe a recursive schema. */
export const TreeNodeSchema = z.object({
  id: z.string(),
  node_name: z.string(),
  value: z.string(),
  memory_type: z.string(),
  frequency: z.number().int().optional(),
  children: z.array(z.unknown()).optional().describe("Nodes of this same shape"),
});

/** get_all: per cube, ONE graph object (its nodes and their tree) and the count of each memory_type. */
export const GetAllData = z.array(
  z.object({
    cube_id: z.string(),
    memories: z.array(z.object({ nodes: z.array(GraphNode), tree_structure: TreeNodeSchema })).length(1),
    memory_statistics: z.record(z.string(), z.number().int()).describe("Nodes per memory_type over the whole cube"),
    total_nodes: z.number().int().describe("Every match, not only this page"),
    truncated: z.boolean().optional().describe("Memories were left out to keep the answer within 16 MiB: ask smaller pages (page_size)"),
  }),
);

export const deleteRequest = z
  .object({
    user_id: Id,
    writable_cube_ids: IdList.optional(),
    mem_cube_id: Id.optional(),
    memory_ids: z.array(MemoryId).min(1).max(10_000).optional(),
    session_id: Label.optional(),
    filter: Filter.optional(),
  })
  .meta({ id: "DeleteMemoryRequest" });

export const DeleteData = z.object({ status: z.literal("success"), deleted: z.number().int() });
