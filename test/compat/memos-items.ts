/**
 * The memory items MemOS's `server_api` (v2.0.31) sends back, as zod schemas: a search hit (with
 * its `ref_id` and echoed `metadata.id` / `metadata.memory` / `metadata.ref_id`), the stored item
 * of `get_memory/{id}`, the graph node of `get_all` / `get_memory`, and their nested `sources` and
 * `history` entries.
 *
 * MemOS serialises its pydantic models whole: a field that has no value is sent as `null` (or its
 * default, e.g. `[]`, `1`, `"activated"`), never left out. So a key marked `.nullable()` here is
 * still a key the answer must contain. Extra keys are allowed everywhere (MemOS's metadata models
 * accept extra attributes, and memcube may add fields).
 */
import { z } from "zod";

/** Every `memory_type` MemOS's tree metadata knows. */
export const MEMOS_MEMORY_TYPES = [
  "WorkingMemory",
  "LongTermMemory",
  "UserMemory",
  "OuterMemory",
  "ToolSchemaMemory",
  "ToolTrajectoryMemory",
  "RawFileMemory",
  "SkillMemory",
  "PreferenceMemory",
  "Context",
] as const;
export const MemoryType = z.enum(MEMOS_MEMORY_TYPES);

/** Which `memory_type`s land in which search / get_memory bucket. */
export const MEMOS_BUCKET_TYPES = {
  /** search's text_mem; get_memory's text_mem leaves out RawFileMemory (its list is the first four). */
  text_mem: ["WorkingMemory", "LongTermMemory", "UserMemory", "OuterMemory", "RawFileMemory"],
  tool_mem: ["ToolSchemaMemory", "ToolTrajectoryMemory"],
  skill_mem: ["SkillMemory"],
  pref_mem: ["PreferenceMemory"],
} as const;

/**
 * One provenance entry. `type` defaults to "chat" when the entry has a chat role, else "doc";
 * every listed key is sent (null when unknown). Extra keys (url, page, ...) may follow.
 */
export const SourceEntry = z.object({
  type: z.string().nullable(),
  role: z.enum(["user", "assistant", "system", "tool"]).nullable(),
  chat_time: z.string().nullable(),
  message_id: z.string().nullable(),
  content: z.string().nullable(),
  doc_path: z.string().nullable(),
  file_info: z.record(z.string(), z.unknown()).nullable(),
  image_info: z.record(z.string(), z.unknown()).nullable(),
});

/** One archived earlier version of a memory, kept in `metadata.history`. */
export const ArchivedVersion = z.object({
  version: z.number().int(),
  is_fast: z.boolean(),
  memory: z.string().nullable(),
  update_type: z.enum(["conflict", "duplicate", "extract", "unrelated", "feedback"]),
  archived_memory_id: z.string().nullable(),
  created_at: z.string().nullable(),
  timespec: z.record(z.string(), z.unknown()).nullable(),
  memory_form: z.enum(["state", "event"]).nullable(),
});

/** The base metadata every textual memory carries (the keys are always present). */
const baseMetadata = {
  user_id: z.string().nullable(),
  session_id: z.string().nullable(),
  status: z.enum(["activated", "resolving", "archived", "deleted"]).nullable(),
  is_fast: z.boolean().nullable(),
  evolve_to: z.array(z.string()),
  version: z.number().int(),
  history: z.array(ArchivedVersion),
  working_binding: z.string().nullable(),
  type: z.string().nullable(),
  key: z.string().nullable(),
  confidence: z.number().nullable(),
  source: z.enum(["conversation", "retrieved", "web", "file", "system"]).nullable(),
  tags: z.array(z.string()).nullable(),
  visibility: z.enum(["private", "public", "session"]).nullable(),
  updated_at: z.string().nullable(),
  info: z.record(z.string(), z.unknown()).nullable(),
  internal_info: z.record(z.string(), z.unknown()).nullable(),
  covered_history: z.unknown(),
};

/** The tree (graph) metadata: base metadata plus type, provenance, vector and usage. */
const treeMetadata = {
  ...baseMetadata,
  memory_type: MemoryType,
  sources: z.array(SourceEntry).nullable(),
  embedding: z.array(z.number()).nullable(),
  created_at: z.string().nullable(),
  usage: z.array(z.string()),
  background: z.string().nullable(),
  file_ids: z.array(z.string()).nullable(),
};

/** The first dash-separated group of the id, in square brackets: `[caa48141]`. */
export const RefId = z.string().regex(/^\[[^\]-]+\]$/, "ref_id is the id's first group in brackets, e.g. [caa48141]");

/**
 * Metadata of a search hit. Search always sends `embedding: []` and `usage: []` (it empties them),
 * `relativity` (the score, 0..1), and repeats the item's `id`, `memory` and `ref_id` inside.
 * Preference hits carry `preference_type` and `preference` as extra keys (MemOS builds `pref_string`
 * from them).
 */
export const SearchHitMetadata = z.object({
  ...treeMetadata,
  embedding: z.array(z.number()).length(0),
  usage: z.array(z.string()).length(0),
  relativity: z.number().nullable(),
  id: z.string(),
  memory: z.string(),
  ref_id: RefId,
});

export const SearchHit = z.object({ id: z.string(), memory: z.string(), ref_id: RefId, metadata: SearchHitMetadata });

/** A preference hit: a search hit whose metadata also says what the preference is. */
export const PreferenceHit = SearchHit.extend({
  metadata: SearchHitMetadata.extend({
    memory_type: z.literal("PreferenceMemory"),
    preference_type: z.enum(["explicit_preference", "implicit_preference"]),
    preference: z.string().nullable(),
  }),
});

/** `GET get_memory/{id}`: the stored item whole (no `ref_id`; `embedding` is not emptied). */
export const StoredItem = z.object({
  id: z.string(),
  memory: z.string(),
  metadata: z.object({ ...treeMetadata }),
});

/**
 * A graph node as `get_all` / `get_memory` / `get_memory_by_ids` list them: id, memory and the
 * stored attributes under `metadata`. Which attributes depends on MemOS's graph store; memory_type
 * is always there. `get_all` removes every `embedding` key.
 */
export const GraphNode = z.object({
  id: z.string(),
  memory: z.string(),
  metadata: z.object({ memory_type: MemoryType }).catchall(z.unknown()),
});

/** One entry of what `add` answers per stored memory. */
export const AddedMemory = z.object({
  memory: z.string(),
  memory_id: z.string(),
  memory_type: MemoryType,
  cube_id: z.string(),
});

/**
 * A node of get_all's `tree_structure`: `{id, node_name, value, memory_type, frequency, children?}`.
 * The root is `{id:"root", node_name:"root", value:"root", memory_type:"Root", children:[...]}`;
 * working memories hang under a synthetic `{id:"WorkingMemory", ...}` node.
 */
export interface TreeNode {
  id: string;
  node_name: string;
  value: string;
  memory_type: string;
  frequency?: number;
  children?: TreeNode[];
}
export const TreeNode: z.ZodType<TreeNode> = z.lazy(() =>
  z.object({
    id: z.string(),
    node_name: z.string(),
    value: z.string(),
    memory_type: z.string(),
    frequency: z.number().int().optional(),
    children: z.array(TreeNode).optional(),
  }),
);

export const TreeRoot = z.object({
  id: z.literal("root"),
  node_name: z.literal("root"),
  value: z.literal("root"),
  memory_type: z.literal("Root"),
  children: z.array(TreeNode),
});
