import { z } from "zod";
import type { Limits } from "../../config/index.js";
import { CubeBucket, GraphNode, Id, IdList, JsonObject, Label, MemoryId, MemoryTypeName, StoredItem, actingUserId, nonBlankText, text } from "./common.js";
import { historyMessage } from "./chat.js";
import { messageList } from "./messages.js";

const Filter = JsonObject.describe(
  'Conditions over id, user_id, memory_type, session_id, created_at, chat_time, tags, file_ids (the file_id of a document), info.<key>: {"and": [...]}, {"or": [...]}, {field: value} or {field: {"gt"|"gte"|"lt"|"lte"|"in"|"contains": value}}',
);

/** MemOS's session rule: an empty session_id is the default session. */
const SessionId = z.preprocess((value) => (value === "" ? undefined : value), Label.default("default_session"));

export const addRequest = (limits: Limits) =>
  z
    .object({
      user_id: Id.optional().describe("The acting user; left out: the API key's user, else the owner of the first cube named"),
      writable_cube_ids: IdList.optional().describe("Cubes to write; default [mem_cube_id], else [user_id]. Missing cubes are created."),
      mem_cube_id: Id.optional().describe("Deprecated: one cube for reading and writing"),
      session_id: SessionId,
      task_id: Label.optional().describe("The client's id for this add's work: /product/scheduler/status?task_id= reports it"),
      messages: z
        .union([text(limits.charsPerMessage).describe("One user message"), messageList(limits.messagesPerAdd)])
        .optional()
        .describe("A string, chat messages (system, user, assistant, tool; OpenAI content parts) or bare {type:text|file} items"),
      memory_content: text(limits.charsPerMessage).optional().describe("Deprecated: a note stored after the messages"),
      doc_path: text(10_000).optional().describe("Deprecated: a file, stored as the source it is (by its path)"),
      source: text(10_000).optional().describe("Deprecated: kept as info.source"),
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
      is_feedback: z
        .boolean()
        .default(false)
        .describe("The last user message is feedback on the last answer: handled as /product/feedback (a normal add when it cannot be)"),
      chat_history: z.array(historyMessage).max(10_000).optional().describe("is_feedback: the conversation before the messages"),
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
      user_id: actingUserId(),
      query: nonBlankText(limits.charsPerMessage),
      readable_cube_ids: IdList.optional().describe("Cubes to search; default [user_id]"),
      mem_cube_id: Id.optional(),
      mode: z.enum(["fast", "fine", "mixture"]).default("fast"),
      top_k: z.number().int().min(1).default(10).describe(`Per cube; above MEMCUBE_MAX_TOP_K (${limits.maxTopK}) it is clamped (x-memcube-notice)`),
      session_id: Label.optional().describe("Memories of this session rank higher"),
      relativity: z.number().min(0).default(0).describe("Leave out memories below this relevance (0..1; above 1 is clamped to 1, said in x-memcube-notice)"),
      dedup: z.enum(["mmr", "sim", "no"]).default("mmr"),
      filter: Filter.optional(),
      search_memory_type: z
        .string()
        .max(64)
        .default("All")
        .describe("All, or one memory type; MemOS's other kinds (SkillMemory, ToolSchemaMemory, OuterMemory, ...) find nothing here"),
      include_preference: z.boolean().default(true),
      pref_top_k: z.number().int().min(0).default(6).describe(`Above MEMCUBE_MAX_TOP_K (${limits.maxTopK}) it is clamped (x-memcube-notice)`),
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
    user_id: actingUserId(),
    mem_cube_ids: IdList.optional(),
    mem_cube_id: Id.optional(),
    memory_type: z
      .enum(["text_mem", "pref_mem", "act_mem", "para_mem", "param_mem"])
      .default("text_mem")
      .describe("act_mem, para_mem and param_mem hold nothing in memcube (the answer is [])"),
    search_query: text(1000).optional().describe("Only memories containing this text"),
    filter: Filter.optional().describe('Only the memories it matches (the search filter grammar, e.g. {"file_ids": "manual-v3"})'),
    ...paging,
  })
  .meta({ id: "GetAllRequest" });

export const getMemoryRequest = z
  .object({
    user_id: Id.optional().describe("The acting user; left out: the API key's user, else the cube's owner"),
    mem_cube_id: Id,
    include_preference: z.boolean().default(true).describe("false: pref_mem is []"),
    include_tool_memory: z.boolean().default(true).describe("false: tool_mem is []"),
    include_skill_memory: z.boolean().default(true).describe("false: skill_mem is []"),
    filter: Filter.optional().describe('Only the memories it matches (the search filter grammar, e.g. {"file_ids": "manual-v3"})'),
    ...paging,
  })
  .meta({ id: "GetMemoryRequest" });

export const getMemoryQuery = z.object({
  user_id: Id.optional().describe("The acting user; left out: the API key's user, else the owner of the memory's cube"),
});
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
    user_id: Id.optional().describe(
      "Alone: deletes what this user wrote in the cubes (MemOS's quick delete). Beside another selector: only the acting user (not a second mode)",
    ),
    writable_cube_ids: IdList.optional().describe("Default [mem_cube_id], else [user_id]"),
    mem_cube_id: Id.optional(),
    memory_ids: z.array(MemoryId).max(10_000).optional(),
    file_ids: z.array(text(10_000)).max(10_000).optional().describe("Memories of the files with these file_id (or filename) sent to add"),
    session_id: Label.optional(),
    conversation_id: Label.optional().describe("Alias of session_id"),
    filter: Filter.optional(),
    auto_cleanup_working: z.boolean().optional().describe("Accepted; memcube keeps no working memory bound to others"),
  })
  .refine((body) => !(body.conversation_id && body.session_id && body.conversation_id !== body.session_id), {
    path: ["conversation_id"],
    message: "conversation_id and session_id must be the same when both are set",
  })
  .meta({ id: "DeleteMemoryRequest" });

export const DeleteData = z.object({
  status: z.enum(["success", "failure"]).describe("failure: the request named no delete mode, or more than one (the message says which)"),
  deleted: z.number().int(),
  reason: z.string().optional().describe("Why a delete failed (also the message)"),
});
