/**
 * MemOS's `server_api` as data: the 25 routes of its `/product` router at v2.0.31, each with its
 * method, path, request (zod schemas carrying MemOS's defaults and allowed values), the envelope,
 * the message MemOS answers on success, the shape of `data`, and notes on the semantics.
 *
 * Written from reading MemOS's request/response models and handlers (see MEMOS_SOURCE); nothing
 * here is MemOS's code or text. These are facts a compatibility test asserts against memcube:
 * - `parseRequest(route, body)` gives MemOS's full request with its defaults filled in (or the
 *   zod error where MemOS would answer 422);
 * - `successResponse(route)` validates an answer's envelope and `data`, field by field.
 *
 * Request rules MemOS applies everywhere (pydantic models with no extra config, FastAPI):
 * - unknown body keys are ignored, never a 422 (the eval client sends `conversation_id` to add
 *   and search, which neither model names);
 * - a field typed as a string refuses null unless it is marked nullable here (e.g. add's
 *   `user_id` may be left out, but `"user_id": null` is a 422);
 * - numbers and booleans are parsed in pydantic's lax mode: `"5"` is accepted for an int and
 *   `"true"` for a bool; the schemas below describe the JSON types a client normally sends.
 */
import { z } from "zod";
import { AddedMemory, GraphNode, PreferenceHit, SearchHit, StoredItem, TreeRoot } from "./memos-items.js";
import { ChatMessage, MessageList, MessagesType } from "./memos-messages.js";

export const MEMOS_SOURCE = {
  repository: "MemTensor/MemOS",
  version: "v2.0.31",
  commit: "be68e2fb5370866bd5e2b188bb3d22bd13b49e09",
  files: [
    "src/memos/api/product_models.py",
    "src/memos/api/routers/server_router.py",
    "src/memos/api/handlers/*.py",
    "src/memos/api/exceptions.py",
    "src/memos/memories/textual/item.py",
    "src/memos/multi_mem_cube/{single_cube,composite_cube}.py",
    "src/memos/types/",
  ],
} as const;

// ---------------------------------------------------------------------------------------------
// Shared request pieces
// ---------------------------------------------------------------------------------------------

const nullableString = z.string().nullable().default(null);
const nullableStringList = z.array(z.string()).nullable().default(null);
/** A free-form filter object: `{"and":[...]}`, `{"or":[...]}`, `{field: value}`, `{field: {"gt": v}}`. */
const Filter = z.record(z.string(), z.unknown()).nullable().default(null);
/** A deprecated per-cube permission list MemOS accepts and ignores. */
const Operation = z
  .array(z.object({ permissions: z.array(z.enum(["read", "write", "delete", "execute"])).optional(), mem_cube_id: z.string().optional() }))
  .nullable()
  .default(null);
const SearchMode = z.enum(["fast", "fine", "mixture"]).default("fast");

/** Every `search_memory_type` value MemOS names; its model takes any string (no 422 for others). */
export const MEMOS_SEARCH_MEMORY_TYPES = [
  "All",
  "WorkingMemory",
  "LongTermMemory",
  "UserMemory",
  "OuterMemory",
  "ToolSchemaMemory",
  "ToolTrajectoryMemory",
  "RawFileMemory",
  "AllSummaryMemory",
  "SkillMemory",
  "PreferenceMemory",
] as const;

const SearchRequest = z.object({
  query: z.string(),
  user_id: z.string(),
  readable_cube_ids: nullableStringList,
  mode: SearchMode,
  session_id: nullableString,
  top_k: z.number().int().min(1).default(10),
  relativity: z.number().min(0).default(0.45),
  dedup: z.enum(["no", "sim", "mmr"]).nullable().default("mmr"),
  rerank: z.boolean().default(true),
  pref_top_k: z.number().int().min(0).default(6),
  include_preference: z.boolean().default(true),
  search_tool_memory: z.boolean().default(true),
  tool_mem_top_k: z.number().int().min(0).default(6),
  include_skill_memory: z.boolean().default(true),
  skill_mem_top_k: z.number().int().min(0).default(3),
  context_format: z.string().default("memory"),
  filter: Filter,
  internet_search: z.boolean().default(false),
  threshold: z.number().nullable().default(null),
  search_memory_type: z.string().default("All"),
  reference_time: nullableString,
  chat_history: MessageList.nullable().default(null),
  mem_cube_id: nullableString,
  moscube: z.boolean().default(false),
  operation: Operation,
  source: nullableString,
  neighbor_discovery: z.boolean().default(false),
});

const AddRequest = z.object({
  user_id: z.string().optional(),
  session_id: nullableString,
  task_id: nullableString,
  manager_user_id: nullableString,
  project_id: nullableString,
  writable_cube_ids: nullableStringList,
  async_mode: z.enum(["async", "sync"]).default("async"),
  mode: z.enum(["fast", "fine"]).nullable().default(null),
  custom_tags: nullableStringList,
  info: z.record(z.string(), z.unknown()).nullable().default(null),
  messages: MessagesType.nullable().default(null),
  chat_history: MessageList.nullable().default(null),
  is_feedback: z.boolean().default(false),
  is_upload_skill: z.boolean().default(false),
  mem_cube_id: nullableString,
  memory_content: nullableString,
  doc_path: nullableString,
  source: nullableString,
  operation: Operation,
});

/** The chat fields shared by chat/complete and the three chat/stream routes. */
const chatFields = {
  user_id: z.string(),
  query: z.string(),
  readable_cube_ids: nullableStringList,
  writable_cube_ids: nullableStringList,
  history: MessageList.nullable().default(null),
  mode: SearchMode,
  system_prompt: nullableString,
  top_k: z.number().int().default(10),
  session_id: nullableString,
  include_preference: z.boolean().default(true),
  pref_top_k: z.number().int().default(6),
  model_name_or_path: nullableString,
  max_tokens: z.number().int().nullable().default(null),
  temperature: z.number().nullable().default(null),
  top_p: z.number().nullable().default(null),
  add_message_on_answer: z.boolean().default(true),
  manager_user_id: nullableString,
  project_id: nullableString,
  relativity: z.number().min(0).default(0.45),
  filter: Filter,
  internet_search: z.boolean().default(false),
  threshold: z.number().default(0.5),
  moscube: z.boolean().default(false),
  mem_cube_id: nullableString,
};
const ChatRequest = z.object(chatFields);

const GetMemoryRequest = z.object({
  mem_cube_id: z.string(),
  user_id: nullableString,
  include_preference: z.boolean().default(true),
  include_tool_memory: z.boolean().default(true),
  include_skill_memory: z.boolean().default(true),
  filter: Filter,
  page: z.number().int().nullable().default(null),
  page_size: z.number().int().nullable().default(null),
});

const FeedbackRequest = z.object({
  user_id: z.string(),
  session_id: z.string().nullable().default("default_session"),
  task_id: nullableString,
  /** Required but may be null. */
  history: MessageList.nullable(),
  retrieved_memory_ids: nullableStringList,
  /** Required but may be null. */
  feedback_content: z.string().nullable(),
  feedback_time: nullableString,
  writable_cube_ids: nullableStringList,
  async_mode: z.enum(["sync", "async"]).default("async"),
  corrected_answer: z.boolean().default(false),
  info: z.record(z.string(), z.unknown()).nullable().default(null),
  mem_cube_id: nullableString,
});

/** What one feedback call answers per request: `[]` when async (the work is scheduled), else the answer and record. */
const FeedbackOutcome = z.union([
  z.array(z.unknown()).length(0),
  z.object({ answer: z.string(), record: z.object({ add: z.array(z.unknown()), update: z.array(z.unknown()) }) }),
]);

/** delete_memory: `conversation_id` is an alias of `session_id`; both given and different is a 422. */
const DeleteMemoryRequest = z
  .object({
    writable_cube_ids: nullableStringList,
    memory_ids: nullableStringList,
    file_ids: nullableStringList,
    filter: Filter,
    user_id: nullableString,
    session_id: nullableString,
    conversation_id: nullableString,
    auto_cleanup_working: z.boolean().nullable().default(false),
  })
  .refine((body) => !(body.conversation_id && body.session_id && body.conversation_id !== body.session_id), {
    message: "conversation_id and session_id must be the same when both are set",
  });

const waitQuery = z.object({
  user_name: z.string(),
  timeout_seconds: z.number().default(120),
  poll_interval: z.number().default(0.5),
});

// ---------------------------------------------------------------------------------------------
// Shared response pieces
// ---------------------------------------------------------------------------------------------

/** `{cube_id, memories, total_nodes}`: one cube's share of a memory kind. */
const bucket = <T extends z.ZodType>(item: T) => z.object({ cube_id: z.string(), memories: z.array(item), total_nodes: z.number().int() });

/**
 * Search's `data`. text_mem buckets have NO `total_nodes` (MemOS rebuilds them after its
 * knowledge rerank), and only cubes with at least one hit appear: no hit at all gives
 * `text_mem: []`. The other kinds keep one bucket per searched cube, empty or not.
 * `pref_string` is present only when a single cube was searched and it had preference hits.
 */
export const SearchData = z.object({
  text_mem: z.array(z.object({ cube_id: z.string(), memories: z.array(SearchHit) })),
  act_mem: z.array(z.unknown()).length(0),
  para_mem: z.array(z.unknown()).length(0),
  pref_mem: z.array(bucket(PreferenceHit)),
  pref_note: z.string(),
  pref_string: z.string().optional(),
  tool_mem: z.array(bucket(SearchHit)),
  skill_mem: z.array(bucket(SearchHit)),
});

/** get_memory (POST): the four kinds, each a list of per-cube buckets; a kind left out is `[]`. */
export const GetMemoryData = z.object({
  text_mem: z.array(bucket(GraphNode)),
  pref_mem: z.array(bucket(GraphNode)),
  tool_mem: z.array(bucket(GraphNode)),
  skill_mem: z.array(bucket(GraphNode)),
});

export const DashboardData = GetMemoryData.extend({
  statistics: z.object({
    total_text_nodes: z.number().int(),
    total_tool_nodes: z.number().int(),
    total_skill_nodes: z.number().int(),
    total_preference_nodes: z.number().int(),
  }),
});

/** get_all (text_mem): one entry whose `memories` holds ONE graph object, plus per-type counts. */
export const GetAllData = z.array(
  z.object({
    cube_id: z.string(),
    memories: z.array(z.object({ nodes: z.array(GraphNode), tree_structure: TreeRoot })).length(1),
    memory_statistics: z.record(z.string(), z.number().int()),
  }),
);

const TaskStatus = z.enum(["in_progress", "completed", "waiting", "failed", "cancelled"]);
const TaskSummary = z.object({
  waiting: z.number().int(),
  in_progress: z.number().int(),
  pending: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  total: z.number().int(),
});

/** The outcome `{status: "success" | "failure"}` that delete routes answer (always HTTP 200). */
const Outcome = z.object({ status: z.enum(["success", "failure"]) });

/** Frames of the plain chat streams: `data: {json}\n\n`, no closing frame. */
export const ChatStreamFrame = z.union([
  z.object({ type: z.literal("text"), data: z.string() }),
  z.object({ type: z.literal("reasoning"), data: z.string() }),
  z.object({ type: z.literal("error"), content: z.string() }),
]);

/** Frames of the playground stream (it ends with `{type:"end"}` unless it fails). */
export const PlaygroundFrame = z.union([
  z.object({ type: z.literal("status"), data: z.enum(["0", "1", "2", "reasoning", "start_internet_search"]) }),
  z.object({ type: z.literal("reference"), data: z.array(z.unknown()) }),
  z.object({ type: z.literal("pref_md_string"), data: z.string() }),
  z.object({ type: z.literal("internet_reference"), data: z.unknown() }),
  z.object({ type: z.literal("text"), data: z.string() }),
  z.object({ type: z.literal("reasoning"), data: z.string() }),
  z.object({ type: z.literal("time"), data: z.object({ total_time: z.number(), speed_improvement: z.string() }) }),
  z.object({ type: z.literal("suggestion"), data: z.array(z.string()) }),
  z.object({ type: z.literal("end") }),
  z.object({ type: z.literal("error"), content: z.string().optional(), data: z.string().optional() }),
]);

export const WaitStreamFrame = z.union([
  z.object({
    user_name: z.string(),
    active_tasks: z.number().int(),
    elapsed_seconds: z.number(),
    status: z.enum(["running", "idle"]),
    instance_id: z.string(),
  }),
  z.object({
    user_name: z.string(),
    active_tasks: z.number().int(),
    elapsed_seconds: z.number(),
    status: z.literal("timeout"),
    timed_out: z.literal(true),
    instance_id: z.string(),
  }),
  z.object({ status: z.literal("error"), detail: z.literal("stream_failed"), exception: z.string(), user_name: z.string() }),
]);

// ---------------------------------------------------------------------------------------------
// The routes
// ---------------------------------------------------------------------------------------------

export interface MemosRoute {
  /** Short name, unique: used by the status table and the tests. */
  id: string;
  method: "GET" | "POST";
  /** `{name}` marks a path parameter. */
  path: string;
  /** JSON body schema (an object, or an array for get_memory_by_ids); absent when there is none. */
  body?: z.ZodType;
  /** Query-string parameters (strings on the wire; MemOS converts them). */
  query?: z.ZodObject;
  /** `json`: one JSON answer; `sse`: `text/event-stream` of `data: {json}` frames. */
  answer: "json" | "sse";
  /**
   * `code-message-data`: `{code: 200, message, data}`; `message-data`: the route returns a plain
   * object with no `code` key. Errors always use `{code: <http status>, message, data: null}`.
   */
  envelope: "code-message-data" | "message-data" | "none";
  /** The `message` of a normal success (the first one is the usual case). */
  messages: readonly string[];
  /** The shape of `data` on success (JSON routes). */
  data?: z.ZodType;
  /** The shape of one SSE frame (stream routes). */
  frame?: z.ZodType;
  /** What MemOS needs enabled for the route to answer at all. */
  requires?: "ENABLE_CHAT_API=true" | "Redis scheduler queue";
  notes: readonly string[];
}

export const MEMOS_ROUTES: readonly MemosRoute[] = [
  {
    id: "search",
    method: "POST",
    path: "/product/search",
    body: SearchRequest,
    answer: "json",
    envelope: "code-message-data",
    messages: ["Search completed successfully"],
    data: SearchData,
    notes: [
      "readable_cube_ids defaults to [mem_cube_id] when only mem_cube_id is given, else to [user_id].",
      "relativity (default 0.45) drops text and preference hits whose metadata.relativity is below it; 0 disables the cut.",
      "dedup 'sim' or 'mmr' (default) fetches 3×top_k candidates, then trims back to top_k per cube.",
      "top_k has no upper bound in MemOS's model (>= 1 only).",
      "search_memory_type is a free string in the model: unknown values are not a 422.",
      "Search hits always carry metadata.embedding = [] and metadata.usage = [], ref_id '[<first id group>]' at item and metadata level, and metadata.id / metadata.memory echoing the item.",
      "With no hits text_mem is [] (no empty bucket); pref_mem, tool_mem and skill_mem keep one bucket per searched cube.",
      "pref_string = 'Explicit Preference:\\n1. …' and/or 'Implicit Preference:\\n1. …', then a newline and pref_note (a fixed instruction in the query's language). Only set on single-cube searches with preference hits; pref_note is '' otherwise. Multi-cube searches join per-cube notes with ' | ' and never set pref_string.",
      "MemOS's eval scripts read data.text_mem[0].memories[].memory and append data.pref_string (if any) to the prompt.",
    ],
  },
  {
    id: "add",
    method: "POST",
    path: "/product/add",
    body: AddRequest,
    answer: "json",
    envelope: "code-message-data",
    messages: ["Memory added successfully", "Memory feedback successfully"],
    // is_feedback answers feedback's data: [[]] (async) or [{answer, record}] (sync).
    data: z.array(z.union([AddedMemory, FeedbackOutcome])),
    notes: [
      "user_id may be left out (then null); writable_cube_ids defaults to [mem_cube_id], else [user_id].",
      "messages may be a string, a list of chat messages (roles system/user/assistant/tool), or a list of bare text/file items; an empty list or string is valid.",
      "memory_content (deprecated) is appended to messages as a text item, doc_path (deprecated) as a file item {type:'file', file:{path}}; either works without messages.",
      "source (deprecated) becomes info.source; session_id defaults to 'default_session' when empty or missing; mode is dropped when async_mode is 'async'.",
      "info keys that clash with memory-item field names are silently removed.",
      "async_mode 'async' (default) stores fast memories at once and schedules extraction under task_id; the answer lists what was stored.",
      "data is one {memory, memory_id, memory_type, cube_id} per stored memory, across all writable cubes.",
      "is_feedback: true routes the last user message to feedback; answers 'Memory feedback successfully' with data [<feedback record>], falling back to a normal add if that fails.",
    ],
  },
  {
    id: "create_cube",
    method: "POST",
    path: "/product/create_cube",
    body: z.object({ cube_name: z.string(), owner_id: z.string(), cube_path: nullableString, cube_id: nullableString }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Cube created successfully"],
    data: z.object({ cube_id: z.string(), cube_name: z.string(), owner_id: z.string() }),
    notes: ["cube_id is generated when left out.", "An unknown owner is a 400 whose message contains 'does not exist'."],
  },
  {
    id: "register_cube",
    method: "POST",
    path: "/product/register_cube",
    body: z.object({ mem_cube_name_or_path: z.string(), mem_cube_id: nullableString, user_id: nullableString }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Cube registration request validated (full registration pending architecture support)"],
    data: z.object({ cube_id: z.string(), cube_name_or_path: z.string() }),
    notes: [
      "cube_id = mem_cube_id, else mem_cube_name_or_path.",
      "MemOS only validates: it reads nothing from disk and stores nothing. A given but unknown user_id is a 400.",
      "The response model's default message ('Cube registered successfully') is NOT what the handler sends.",
    ],
  },
  {
    id: "scheduler_allstatus",
    method: "GET",
    path: "/product/scheduler/allstatus",
    answer: "json",
    envelope: "code-message-data",
    messages: ["Scheduler status summary retrieved successfully"],
    data: z.object({ scheduler_summary: TaskSummary, all_tasks_summary: TaskSummary }),
    notes: ["No parameters; counts over every user's tasks."],
  },
  {
    id: "scheduler_status",
    method: "GET",
    path: "/product/scheduler/status",
    query: z.object({ user_id: z.string(), task_id: z.string().optional() }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Memory get status successfully"],
    data: z.array(z.object({ task_id: z.string(), status: TaskStatus })),
    notes: [
      "user_id is required (422 without it).",
      "With task_id: one item; the id is tried as the client's task_id (aggregated over its parts), then as an internal item id; unknown is a 404 'Task <id> not found for user <user_id>'.",
      "Without task_id: every task of the user ([] when none).",
    ],
  },
  {
    id: "scheduler_task_queue_status",
    method: "GET",
    path: "/product/scheduler/task_queue_status",
    query: z.object({ user_id: z.string() }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Scheduler task queue status retrieved successfully"],
    data: z.object({
      user_id: z.string(),
      user_name: z.string().nullable(),
      mem_cube_id: z.string().nullable(),
      stream_keys: z.array(z.string()),
      users_count: z.number().int(),
      pending_tasks_count: z.number().int(),
      remaining_tasks_count: z.number().int(),
      pending_tasks_detail: z.array(z.string()),
      remaining_tasks_detail: z.array(z.string()),
    }),
    requires: "Redis scheduler queue",
    notes: ["Without a Redis queue MemOS answers 503; a user with no queue streams is a 404.", "The *_detail lists are '<stream key>:<count>' strings."],
  },
  {
    id: "scheduler_wait",
    method: "POST",
    path: "/product/scheduler/wait",
    query: waitQuery,
    answer: "json",
    envelope: "message-data",
    messages: ["idle", "timeout"],
    data: z.object({ running_tasks: z.number().int(), waited_seconds: z.number(), timed_out: z.boolean(), user_name: z.string() }),
    notes: [
      "Parameters are in the query string, not the body (user_name required; timeout_seconds 120 and poll_interval 0.5 by default).",
      "The answer has no code key: {message: 'idle' | 'timeout', data}.",
      "Idle means the user has no task, or all are completed/failed/cancelled.",
    ],
  },
  {
    id: "scheduler_wait_stream",
    method: "GET",
    path: "/product/scheduler/wait/stream",
    query: waitQuery,
    answer: "sse",
    envelope: "none",
    messages: [],
    frame: WaitStreamFrame,
    notes: ["One progress frame per poll; the stream ends after the first idle frame or a timeout frame."],
  },
  {
    id: "chat_complete",
    method: "POST",
    path: "/product/chat/complete",
    body: ChatRequest,
    answer: "json",
    envelope: "message-data",
    messages: ["Chat completed successfully"],
    data: z.object({ response: z.string(), reasoning: z.string().nullable() }),
    requires: "ENABLE_CHAT_API=true",
    notes: [
      "The answer has no code key: {message, data: {response, reasoning}}; reasoning is the text of a <think> block or null.",
      "Recall is a search with the chat's top_k, relativity (default 0.45), filter, include_preference and pref_top_k; only the first text bucket is used, then hits below threshold (default 0.5) are dropped.",
      "add_message_on_answer (default true) stores the exchange asynchronously in writable_cube_ids (default [user_id]).",
      "An unconfigured model_name_or_path is meant as a 400, but the handler's catch-all re-raises it as a 500 whose message is a traceback; any ValueError inside becomes a 404. A disabled chat API is a 503.",
      "history keeps its last 20 messages.",
      "mem_cube_id is accepted but NOT used here (unlike chat/stream): the cubes are readable_cube_ids / writable_cube_ids, else [user_id].",
    ],
  },
  {
    id: "chat_stream",
    method: "POST",
    path: "/product/chat/stream",
    body: ChatRequest,
    answer: "sse",
    envelope: "none",
    messages: [],
    frame: ChatStreamFrame,
    requires: "ENABLE_CHAT_API=true",
    notes: [
      "Frames: {type:'text', data}, {type:'reasoning', data}; failures (an unconfigured model included) are HTTP 200 with a {type:'error', content} frame holding a traceback. No closing frame.",
      "mem_cube_id (deprecated) fills readable and writable cube ids when they are missing.",
    ],
  },
  {
    id: "chat_stream_playground",
    method: "POST",
    path: "/product/chat/stream/playground",
    body: z.object({ ...chatFields, beginner_guide_step: nullableString }),
    answer: "sse",
    envelope: "none",
    messages: [],
    frame: PlaygroundFrame,
    requires: "ENABLE_CHAT_API=true",
    notes: [
      "Frames in order: status '0', status '1', reference (the recalled memories), pref_md_string (when include_preference), status '2', text/reasoning pieces, optional internet_reference, time, suggestion, end.",
      "beginner_guide_step 'first' / 'second' selects canned guide answers.",
    ],
  },
  {
    id: "chat_stream_business_user",
    method: "POST",
    path: "/product/chat/stream/business_user",
    body: z.object({ ...chatFields, business_key: z.string(), need_search: z.boolean().default(false) }),
    answer: "sse",
    envelope: "none",
    messages: [],
    frame: ChatStreamFrame,
    requires: "ENABLE_CHAT_API=true",
    notes: [
      "business_key must be in BUSINESS_CHAT_KEYS (a JSON list in the environment), else 403 'Access denied: Invalid business_key. …'.",
      "need_search false (default): no memory recall, the model answers from history alone.",
    ],
  },
  {
    id: "suggestions",
    method: "POST",
    path: "/product/suggestions",
    body: z.object({
      user_id: z.string(),
      mem_cube_id: z.string(),
      language: z.enum(["zh", "en"]).default("zh"),
      message: MessagesType.nullable().default(null),
    }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Suggestions retrieved successfully"],
    data: z.object({ query: z.array(z.string()) }),
    notes: [
      "Both user_id and mem_cube_id are required; the memories read are mem_cube_id's.",
      "With message: suggestions follow from its last two messages ({query: []} if the model's answer cannot be read); without: from the cube's 3 most relevant 'recent' memories, in the requested language.",
    ],
  },
  {
    id: "get_all",
    method: "POST",
    path: "/product/get_all",
    body: z.object({
      user_id: z.string(),
      memory_type: z.enum(["text_mem", "act_mem", "param_mem", "para_mem"]),
      mem_cube_ids: nullableStringList,
      search_query: nullableString,
      search_type: z.enum(["embedding", "fulltext"]).default("fulltext"),
    }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Memories retrieved successfully"],
    data: GetAllData,
    notes: [
      "user_id and memory_type are required. Only mem_cube_ids[0] is read (default: user_id).",
      "text_mem: data = [{cube_id, memories: [{nodes, tree_structure}], memory_statistics}] — nodes are at most 200 sampled graph nodes without embedding; tree_structure is the root of a tree of {id, node_name, value, memory_type, frequency, children}; memory_statistics counts nodes per memory_type.",
      "act_mem, para_mem and param_mem answer 200 with data [].",
      "With search_query: the same shape over the query's relevant subgraph (up to 200 nodes, search_type embedding or fulltext).",
    ],
  },
  {
    id: "get_memory",
    method: "POST",
    path: "/product/get_memory",
    body: GetMemoryRequest,
    answer: "json",
    envelope: "code-message-data",
    messages: ["Memories retrieved successfully"],
    data: GetMemoryData,
    notes: [
      "mem_cube_id is required, user_id optional (it narrows to that user's memories when given).",
      "data = {text_mem, pref_mem, tool_mem, skill_mem}: each a list holding one {cube_id, memories, total_nodes}; a kind turned off by include_* is [].",
      "text_mem lists WorkingMemory, LongTermMemory, UserMemory and OuterMemory nodes.",
      "page / page_size null exports everything; total_nodes counts the matches, not the page.",
      "A cube with nothing in it answers 200 with empty buckets.",
    ],
  },
  {
    id: "get_memory_by_id",
    method: "GET",
    path: "/product/get_memory/{memory_id}",
    answer: "json",
    envelope: "code-message-data",
    messages: ["Memory retrieved successfully", "Memory with ID <memory_id> not found"],
    data: StoredItem.nullable(),
    notes: [
      "No query parameters, no user_id: the id alone selects the memory.",
      "Unknown id: HTTP 200, code 200, message 'Memory with ID <id> not found', data null.",
      "data is the stored item whole: {id, memory, metadata} with embedding, no ref_id.",
    ],
  },
  {
    id: "get_memory_by_ids",
    method: "POST",
    path: "/product/get_memory_by_ids",
    body: z.array(z.string()),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Memories retrieved successfully"],
    data: z.object({ memories: z.array(GraphNode) }),
    notes: ['The body is a bare JSON array of ids (e.g. ["id1","id2"]), not an object.', "Unknown ids are left out; a failure answers {memories: []}."],
  },
  {
    id: "delete_memory",
    method: "POST",
    path: "/product/delete_memory",
    body: DeleteMemoryRequest,
    answer: "json",
    envelope: "code-message-data",
    messages: [
      "Memories deleted successfully",
      "Exactly one delete mode must be provided: memory_ids, file_ids, or filter/user_id/session_id.",
      "filter cannot be empty. Provide a non-empty filter or user_id/session_id.",
      "Failed to delete memories",
    ],
    data: Outcome,
    notes: [
      "Three modes, exactly one of which must be given: memory_ids; file_ids (within writable_cube_ids); or filter mode = a non-empty filter and/or user_id and/or session_id (conversation_id is its alias).",
      "In filter mode user_id / session_id are added to the filter as conditions (and-ed; distributed into each branch of an 'or').",
      "Mode errors are NOT HTTP errors: HTTP 200, code 200, data {status: 'failure'} and the message says why. E.g. memory_ids + user_id is two modes, hence a failure.",
      "filter: {} with no user_id/session_id is a failure ('filter cannot be empty…').",
      "memory_ids deletes those ids wherever they are (writable_cube_ids is not consulted); no user_id is needed.",
      "auto_cleanup_working (internal) also deletes the WorkingMemory nodes bound to the deleted ones.",
    ],
  },
  {
    id: "feedback",
    method: "POST",
    path: "/product/feedback",
    body: FeedbackRequest,
    answer: "json",
    envelope: "code-message-data",
    messages: ["Memory feedback successfully"],
    data: z.array(FeedbackOutcome),
    notes: [
      "history and feedback_content are required keys but may be null.",
      "async_mode 'async' (default) schedules the work under task_id and answers data [[]]; 'sync' answers data [{answer, record: {add, update}}] (answer is '' unless corrected_answer).",
      "Cubes: writable_cube_ids, else [user_id]; mem_cube_id is accepted but not used.",
    ],
  },
  {
    id: "get_user_names_by_memory_ids",
    method: "POST",
    path: "/product/get_user_names_by_memory_ids",
    body: z.object({ memory_ids: z.array(z.string()) }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Successfully"],
    data: z.record(z.string(), z.string().nullable()),
    notes: ["data maps each memory id to the cube (MemOS 'user_name') holding it, null when unknown."],
  },
  {
    id: "exist_mem_cube_id",
    method: "POST",
    path: "/product/exist_mem_cube_id",
    body: z.object({ mem_cube_id: z.string() }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Successfully"],
    data: z.record(z.string(), z.boolean()),
    notes: ["Only mem_cube_id; data is {<mem_cube_id>: true|false} (true when the cube holds any memory)."],
  },
  {
    id: "delete_memory_by_record_id",
    method: "POST",
    path: "/product/delete_memory_by_record_id",
    body: z.object({ mem_cube_id: z.string(), record_id: z.string(), hard_delete: z.boolean().default(false) }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Called Successfully"],
    data: z.object({ status: z.literal("success") }),
    notes: [
      "hard_delete false: every node of the cube not deleted yet gets status deleted, tagged with record_id and a delete time; recoverable by recover_memory_by_record_id.",
      "hard_delete true: the cube's nodes tagged with record_id are removed. Either way the answer is success, whatever was found.",
    ],
  },
  {
    id: "recover_memory_by_record_id",
    method: "POST",
    path: "/product/recover_memory_by_record_id",
    body: z.object({ mem_cube_id: z.string(), delete_record_id: z.string() }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Called Successfully"],
    data: z.object({ status: z.literal("success") }),
    notes: ["The field is delete_record_id here (record_id in the delete route)."],
  },
  {
    id: "get_memory_dashboard",
    method: "POST",
    path: "/product/get_memory_dashboard",
    body: GetMemoryRequest.extend({ mem_cube_id: nullableString }),
    answer: "json",
    envelope: "code-message-data",
    messages: ["Memories retrieved successfully"],
    data: DashboardData,
    notes: [
      "Like get_memory, but mem_cube_id is optional and buckets are grouped by the cube each memory is in (total_nodes = that bucket's length).",
      "data.statistics holds the totals of the four kinds.",
    ],
  },
];

/** The error envelope MemOS's exception handlers write for every 4xx/5xx. */
export const ErrorEnvelope = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.null(),
  /** Only on 422: pydantic's error list. */
  detail: z.array(z.unknown()).optional(),
});

export function memosRoute(id: string): MemosRoute {
  const route = MEMOS_ROUTES.find((entry) => entry.id === id);
  if (!route) throw new Error(`no MemOS route named ${id}`);
  return route;
}

/** The body schema of a route, or an error if it takes none. */
function bodySchema(route: MemosRoute): z.ZodType {
  if (!route.body) throw new Error(`${route.id} takes no JSON body`);
  return route.body;
}

/** MemOS's view of a request: the full request with its defaults, or why it would answer 422. */
export function parseRequest(route: MemosRoute, body: unknown) {
  return bodySchema(route).safeParse(body);
}

/** The success answer of a JSON route: envelope, message (one of `messages`), and `data`. */
export function successResponse(route: MemosRoute, message: string = route.messages[0] ?? ""): z.ZodType {
  if (route.answer !== "json" || !route.data) throw new Error(`${route.id} does not answer one JSON document`);
  const base = { message: z.literal(message), data: route.data };
  return route.envelope === "code-message-data" ? z.object({ code: z.literal(200), ...base }) : z.object(base);
}

export interface FieldDescription {
  name: string;
  /** JSON Schema type summary, e.g. "string", "integer|null", "array<string>|null". */
  type: string;
  required: boolean;
  default?: unknown;
  allowed?: readonly unknown[];
  minimum?: number;
}

interface JsonSchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchemaNode[];
  items?: JsonSchemaNode;
  default?: unknown;
  minimum?: number;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
}

function typeName(node: JsonSchemaNode): string {
  if (node.anyOf) return [...new Set(node.anyOf.map(typeName))].join("|");
  if (node.const !== undefined) return JSON.stringify(node.const);
  const kind = Array.isArray(node.type) ? node.type.join("|") : (node.type ?? "any");
  return kind === "array" && node.items ? `array<${typeName(node.items)}>` : kind;
}

function allowedValues(node: JsonSchemaNode): unknown[] | undefined {
  if (node.enum) return node.enum;
  const nested = node.anyOf?.flatMap((branch) => branch.enum ?? []) ?? [];
  return nested.length > 0 ? nested : undefined;
}

function minimumOf(node: JsonSchemaNode): number | undefined {
  return node.minimum ?? node.anyOf?.find((branch) => branch.minimum !== undefined)?.minimum;
}

/**
 * The request fields of a route as a flat table (name, type, required, default, allowed values,
 * minimum), derived from its zod schemas so the two can never disagree.
 */
export function requestFields(route: MemosRoute): FieldDescription[] {
  const schema = route.body ?? route.query;
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchemaNode;
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, node]) => {
    const field: FieldDescription = { name, type: typeName(node), required: required.has(name) };
    if (node.default !== undefined) field.default = node.default;
    const allowed = allowedValues(node);
    if (allowed) field.allowed = allowed;
    const minimum = minimumOf(node);
    if (minimum !== undefined) field.minimum = minimum;
    return field;
  });
}

/** Message re-exports, so a test needs one import for request shapes. */
export { ChatMessage, MessageList, MessagesType };
