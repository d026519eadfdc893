/**
 * MemOS-shaped requests for every `server_api` route, in the shapes MemOS's own clients send:
 * `examples/api/server_router_api.py`, `tests/api/test_cube_endpoints.py` and the other API
 * tests, and `evaluation/scripts/utils/client.py`. The values are ours. Each probe says what MemOS
 * answers (HTTP status, message); the response shape comes from memos-routes.ts.
 *
 * Probes run in order against one server: the first adds store the memories the later reads,
 * searches and deletes use (their ids are collected into the context).
 */
export interface ProbeContext {
  /** Ids of memories stored by earlier probes, in order. */
  memoryIds: string[];
  /** A suffix for ids that must not exist yet. */
  unique: string;
}

export interface ProbeRequest {
  /** Overrides the route's path (for path parameters). */
  path?: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Probe {
  /** A MEMOS_ROUTES id. */
  route: string;
  /** Where the shape comes from, e.g. `example 02a (assistant tool_calls)`. */
  name: string;
  request(context: ProbeContext): ProbeRequest;
  /** MemOS's HTTP status for it; default 200. */
  expectStatus?: number;
  /** MemOS's message when it is not the route's first one. */
  expectMessage?: string;
  /** Extra checks beyond the shape (e.g. an echoed value); each string is a mismatch. */
  check?(json: unknown): string[];
  /**
   * Set when issue 17 decided memcube differs from MemOS here on purpose: what memcube does
   * instead. The probe still reports MemOS's answer as the reference.
   */
  deliberate?: string;
  /** Reads what later probes need (e.g. stored memory ids). */
  after?(json: unknown, context: ProbeContext): void;
}

export const USER = "compat_user_001";
export const CUBE = "compat_cube_001";
export const SESSION = "compat_session_001";
/** A cube nobody has written: MemOS reads it as empty. */
export const FRESH_CUBE = "compat_fresh_cube_001";

const wrote = (json: unknown, context: ProbeContext): void => {
  const data = (json as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return;
  for (const entry of data as { memory_id?: unknown; id?: unknown }[]) {
    const id = entry?.memory_id ?? entry?.id;
    if (typeof id === "string") context.memoryIds.push(id);
  }
};

const at = (context: ProbeContext, index: number): string => context.memoryIds.at(index) ?? "00000000-0000-4000-8000-000000000000";

const toolCall = { id: "call-weather-1", type: "function", function: { name: "get_weather", arguments: '{"city": "Lisbon"}' } };

const add = (name: string, body: (context: ProbeContext) => unknown, extra: Partial<Probe> = {}): Probe => ({
  route: "add",
  name,
  request: (context) => ({ body: body(context) }),
  after: wrote,
  ...extra,
});

export const MEMOS_PROBES: readonly Probe[] = [
  // ---- add: setup first (sync, so later reads see the memories) ----
  add("setup (sync chat with chat_time)", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    session_id: SESSION,
    async_mode: "sync",
    messages: [
      { role: "user", content: "I prefer quiet hotels near the old town, and I am allergic to peanuts.", chat_time: "2025-11-24T10:00:10Z", message_id: "u-1" },
      { role: "assistant", content: "Noted: quiet hotels near the old town, no peanuts.", chat_time: "2025-11-24T10:00:15Z", message_id: "a-1" },
    ],
    custom_tags: ["travel", "hotel_preference"],
    info: { agent_id: "compat_agent", source_type: "chat" },
  })),
  add("eval client (mem_cube_id + conversation_id)", () => ({
    messages: [{ role: "assistant", content: "Caroline went hiking in the Alps last summer.", chat_time: "2023-05-08 13:56:00" }],
    user_id: USER,
    mem_cube_id: CUBE,
    conversation_id: "conv-compat-1",
  })),
  add("example 01a (messages as a string)", () => ({ user_id: USER, writable_cube_ids: [CUBE], messages: "Today I drank coffee and felt good." })),
  add("example 02a (assistant content null + tool_calls)", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    messages: [{ role: "assistant", content: null, tool_calls: [toolCall], chat_time: "2025-11-24T10:12:00Z", message_id: "a-call-1" }],
  })),
  add("example 02b (tool message)", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    messages: [
      { role: "assistant", content: null, tool_calls: [toolCall] },
      { role: "tool", content: "Lisbon: sunny, 25°C.", tool_call_id: "call-weather-1", chat_time: "2025-11-24T10:12:05Z" },
    ],
    info: { source_type: "tool_execution" },
  })),
  add("example 03 (text + image_url parts)", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this picture of a mountain lake?" },
          { type: "image_url", image_url: { url: "https://example.invalid/lake.jpg", detail: "high" } },
        ],
      },
    ],
  })),
  add("one content part object (not a list)", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    messages: [{ role: "user", content: { type: "text", text: "My sister lives in Porto." } }],
  })),
  add("example 04a (bare text items)", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    messages: [
      { type: "text", text: "A standalone note with no dialog around it." },
      { type: "text", text: "It should still be stored as a memory." },
    ],
    info: { source_type: "batch_import" },
  })),
  add("example 04b (bare file item by file_id)", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    messages: [{ type: "file", file: { file_id: "file_compat_123", filename: "notes.pdf" } }],
  })),
  add("example 05 (memory_content + doc_path + source, no messages)", () => ({
    user_id: USER,
    mem_cube_id: CUBE,
    memory_content: "Legacy field content: the user collects vintage maps.",
    doc_path: "/path/to/legacy.docx",
    source: "legacy_source_tag",
    session_id: "session_deprecated_1",
    async_mode: "async",
  })),
  add("example 06c (chat_history)", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    session_id: "session_with_history",
    messages: [
      { role: "user", content: "I switched to decaf last month." },
      { role: "assistant", content: "Got it, decaf from now on." },
    ],
    chat_history: [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Do you remember my coffee habit?" },
    ],
  })),
  add("free-text chat_time", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    messages: [{ role: "user", content: "We had dinner by the river.", chat_time: "yesterday evening" }],
  })),
  add("session_id empty string", () => ({ user_id: USER, writable_cube_ids: [CUBE], session_id: "", messages: "I run on Sundays." })),
  add("non-ASCII user_id", () => ({ user_id: "用户_001", writable_cube_ids: ["用户_001"], messages: "我喜欢喝茶。" })),
  add("task_id given", (context) => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    task_id: `task-${context.unique}`,
    messages: "I repaint my bike every spring.",
  })),
  add("async with mode 'fast' (MemOS drops mode)", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    async_mode: "async",
    mode: "fast",
    messages: "I keep a herb garden.",
  })),
  add("info with a key named like a metadata field (MemOS drops it)", () => ({
    user_id: USER,
    writable_cube_ids: [CUBE],
    messages: "My favourite museum is the Gulbenkian.",
    custom_tags: ["art"],
    info: { app_id: "compat_app", memory_type: "LongTermMemory" },
  })),
  add(
    "role-less mixed list (MemOS: 422)",
    () => ({
      user_id: USER,
      writable_cube_ids: [CUBE],
      messages: [
        { role: "user", content: "hello" },
        { type: "text", text: "a note" },
      ],
    }),
    { expectStatus: 422, after: () => undefined },
  ),
  add("user_id null (MemOS: 422)", () => ({ user_id: null, writable_cube_ids: [CUBE], messages: "x" }), { expectStatus: 422, after: () => undefined }),
  add("bare {type:'text'} item (MemOS: 422)", () => ({ user_id: USER, writable_cube_ids: [CUBE], messages: [{ type: "text" }] }), {
    expectStatus: 422,
    after: () => undefined,
  }),

  // ---- search ----
  {
    route: "search",
    name: "eval client (mem_cube_id, conversation_id '', pref)",
    request: () => ({
      body: {
        query: "Where did Caroline go hiking?",
        user_id: USER,
        mem_cube_id: CUBE,
        conversation_id: "",
        top_k: 10,
        mode: "fast",
        include_preference: true,
        pref_top_k: 6,
      },
    }),
  },
  {
    route: "search",
    name: "example 07a (readable_cube_ids, top_k 5)",
    request: () => ({
      body: { user_id: USER, query: "What are my hotel preferences?", readable_cube_ids: [CUBE], top_k: 5, mode: "fast", include_preference: true },
    }),
  },
  {
    route: "search",
    name: "filter {and:[{id}]} (MemOS's documented example)",
    request: (context) => ({ body: { user_id: USER, query: "hotel", readable_cube_ids: [CUBE], filter: { and: [{ id: at(context, 0) }] } } }),
  },
  {
    route: "search",
    name: "search_memory_type SkillMemory",
    request: () => ({ body: { user_id: USER, query: "hotel", readable_cube_ids: [CUBE], search_memory_type: "SkillMemory" } }),
  },
  {
    route: "search",
    name: "top_k 500 (no MemOS upper bound)",
    request: () => ({ body: { user_id: USER, query: "hotel", readable_cube_ids: [CUBE], top_k: 500 } }),
  },
  {
    route: "search",
    name: "every MemOS option at a non-default value",
    request: () => ({
      body: {
        user_id: USER,
        query: "hotel",
        readable_cube_ids: [CUBE],
        mode: "mixture",
        session_id: SESSION,
        top_k: 3,
        relativity: 0,
        dedup: "no",
        rerank: false,
        pref_top_k: 0,
        include_preference: false,
        search_tool_memory: false,
        tool_mem_top_k: 0,
        include_skill_memory: false,
        skill_mem_top_k: 0,
        context_format: "memory",
        internet_search: true,
        threshold: 0.2,
        reference_time: "2025-12-01T00:00:00Z",
        chat_history: [{ role: "user", content: "earlier question" }],
        moscube: true,
        operation: [{ permissions: ["read"], mem_cube_id: CUBE }],
        source: "compat_plugin",
        neighbor_discovery: true,
      },
    }),
  },
  { route: "search", name: "dedup null", request: () => ({ body: { user_id: USER, query: "hotel", readable_cube_ids: [CUBE], dedup: null } }) },
  { route: "search", name: "top_k 0 (MemOS: 422)", request: () => ({ body: { user_id: USER, query: "hotel", top_k: 0 } }), expectStatus: 422 },
  { route: "search", name: "mode 'deep' (MemOS: 422)", request: () => ({ body: { user_id: USER, query: "hotel", mode: "deep" } }), expectStatus: 422 },
  {
    route: "search",
    name: "first search of a new user",
    request: (context) => ({ body: { user_id: `new_user_${context.unique}`, query: "anything I said?" } }),
  },

  // ---- cubes ----
  { route: "create_cube", name: "test_cube_endpoints: auto id", request: () => ({ body: { cube_name: "test-auto-cube", owner_id: USER } }) },
  {
    route: "create_cube",
    name: "test_cube_endpoints: custom id",
    request: (context) => ({ body: { cube_name: "test-custom-cube", owner_id: USER, cube_id: `custom-cube-${context.unique}` } }),
  },
  {
    route: "create_cube",
    name: "test_cube_endpoints: cube_path",
    request: () => ({ body: { cube_name: "test-path-cube", owner_id: USER, cube_path: "/tmp/test-cubes/my-cube" } }),
  },
  {
    route: "create_cube",
    name: "test_cube_endpoints: owner nobody registered (MemOS: 400)",
    request: (context) => ({ body: { cube_name: "test-cube", owner_id: `nonexistent-user-${context.unique}` } }),
    expectStatus: 400,
  },
  { route: "create_cube", name: "test_cube_endpoints: missing cube_name", request: () => ({ body: { owner_id: USER } }), expectStatus: 422 },
  {
    route: "register_cube",
    name: "test_cube_endpoints: basic",
    request: () => ({ body: { mem_cube_name_or_path: "test-register-cube", mem_cube_id: "registered-test-cube-id" } }),
  },
  { route: "register_cube", name: "test_cube_endpoints: without id", request: () => ({ body: { mem_cube_name_or_path: "auto-id-registered-cube" } }) },
  { route: "register_cube", name: "test_cube_endpoints: missing path", request: () => ({ body: { mem_cube_id: "test-id" } }), expectStatus: 422 },
  { route: "exist_mem_cube_id", name: "mem_cube_id only", request: () => ({ body: { mem_cube_id: CUBE } }) },
  // MemOS ignores a user_id it does not name: still a MemOS request, and one memcube accepts today.
  { route: "exist_mem_cube_id", name: "mem_cube_id + (ignored) user_id", request: () => ({ body: { mem_cube_id: CUBE, user_id: USER } }) },

  // ---- scheduler ----
  { route: "scheduler_allstatus", name: "no parameters", request: () => ({}) },
  { route: "scheduler_status", name: "user_id", request: () => ({ query: { user_id: USER } }) },
  { route: "scheduler_status", name: "user_id + client task_id", request: (context) => ({ query: { user_id: USER, task_id: `task-${context.unique}` } }) },
  { route: "scheduler_task_queue_status", name: "user_id", request: () => ({ query: { user_id: USER } }) },
  { route: "scheduler_wait", name: "user_name in query", request: () => ({ query: { user_name: USER, timeout_seconds: "5" } }) },
  { route: "scheduler_wait_stream", name: "user_name in query", request: () => ({ query: { user_name: USER, timeout_seconds: "5" } }) },

  // ---- chat ----
  {
    route: "chat_complete",
    name: "test_server_router (mem_cube_id)",
    request: () => ({ body: { user_id: USER, query: "Which hotels do I like?", mem_cube_id: CUBE } }),
  },
  {
    route: "chat_complete",
    name: "example 07b",
    request: () => ({
      body: {
        user_id: USER,
        query: "Which hotels do I like?",
        readable_cube_ids: [CUBE],
        writable_cube_ids: [CUBE],
        mode: "fast",
        top_k: 5,
        add_message_on_answer: true,
        session_id: SESSION,
      },
    }),
  },
  {
    route: "chat_complete",
    name: "temperature 3 (no bound in MemOS)",
    request: () => ({ body: { user_id: USER, query: "Say hi", readable_cube_ids: [CUBE], temperature: 3, add_message_on_answer: false } }),
  },
  {
    route: "chat_complete",
    name: "history with a tool call and a tool message",
    request: () => ({
      body: {
        user_id: USER,
        query: "And the weather?",
        readable_cube_ids: [CUBE],
        add_message_on_answer: false,
        history: [
          { role: "assistant", content: null, tool_calls: [toolCall] },
          { role: "tool", content: "sunny", tool_call_id: "call-weather-1" },
        ],
      },
    }),
  },
  {
    route: "chat_complete",
    // MemOS raises a 400 here but its own catch-all turns it into a 500 carrying a traceback; the
    // probe asks memcube for a clean 4xx instead (a 5xx for client input is never acceptable).
    name: "unknown model_name_or_path (MemOS: 500)",
    request: () => ({ body: { user_id: USER, query: "hi", readable_cube_ids: [CUBE], model_name_or_path: "no-such-model", add_message_on_answer: false } }),
    expectStatus: 400,
  },
  { route: "chat_complete", name: "missing user_id (MemOS: 422)", request: () => ({ body: { query: "hi" } }), expectStatus: 422 },
  {
    route: "chat_stream",
    name: "mem_cube_id",
    request: () => ({ body: { user_id: USER, query: "Which hotels do I like?", mem_cube_id: CUBE, add_message_on_answer: false } }),
  },
  {
    route: "chat_stream_playground",
    name: "readable_cube_ids",
    request: () => ({ body: { user_id: USER, query: "Which hotels do I like?", readable_cube_ids: [CUBE], add_message_on_answer: false } }),
  },
  {
    route: "chat_stream_business_user",
    name: "valid business_key",
    request: () => ({ body: { user_id: USER, query: "Hello", readable_cube_ids: [CUBE], business_key: "probe-business-key", add_message_on_answer: false } }),
  },
  { route: "suggestions", name: "test_server_router (zh)", request: () => ({ body: { user_id: USER, mem_cube_id: CUBE, language: "zh" } }) },

  // ---- reads ----
  { route: "get_all", name: "test_server_router (text_mem, no cube)", request: () => ({ body: { user_id: USER, memory_type: "text_mem" } }) },
  { route: "get_all", name: "text_mem of a cube", request: () => ({ body: { user_id: USER, memory_type: "text_mem", mem_cube_ids: [CUBE] } }) },
  { route: "get_all", name: "act_mem", request: () => ({ body: { user_id: USER, memory_type: "act_mem", mem_cube_ids: [CUBE] } }), check: emptyList },
  {
    route: "get_all",
    name: "with search_query",
    request: () => ({ body: { user_id: USER, memory_type: "text_mem", mem_cube_ids: [CUBE], search_query: "hotel" } }),
  },
  { route: "get_memory", name: "mem_cube_id only", request: () => ({ body: { mem_cube_id: CUBE } }) },
  { route: "get_memory", name: "mem_cube_id + user_id, paged", request: () => ({ body: { mem_cube_id: CUBE, user_id: USER, page: 1, page_size: 2 } }) },
  {
    route: "get_memory",
    name: "include_* false (those kinds are [])",
    request: () => ({ body: { mem_cube_id: CUBE, user_id: USER, include_preference: false, include_tool_memory: false, include_skill_memory: false } }),
    check: (json) => {
      const data = (json as { data?: Record<string, unknown> })?.data ?? {};
      return ["pref_mem", "tool_mem", "skill_mem"].flatMap((key) =>
        Array.isArray(data[key]) && (data[key] as unknown[]).length === 0 ? [] : [`data.${key}: expected []`],
      );
    },
  },
  { route: "get_memory", name: "a cube nobody wrote", request: () => ({ body: { mem_cube_id: FRESH_CUBE } }) },
  { route: "get_memory_by_id", name: "known id, no user_id", request: (context) => ({ path: `/product/get_memory/${at(context, 0)}` }) },
  {
    route: "get_memory_by_id",
    name: "known id + (ignored) ?user_id=",
    request: (context) => ({ path: `/product/get_memory/${at(context, 0)}`, query: { user_id: USER } }),
  },
  {
    route: "get_memory_by_id",
    name: "unknown id",
    request: () => ({ path: "/product/get_memory/11111111-2222-4333-8444-555555555555" }),
    expectMessage: "Memory with ID 11111111-2222-4333-8444-555555555555 not found",
    check: (json) => ((json as { data?: unknown })?.data === null ? [] : ["data: expected null for an unknown id"]),
  },
  { route: "get_memory_by_ids", name: "bare array body", request: (context) => ({ body: [at(context, 0), at(context, 1)] }) },
  { route: "get_memory_dashboard", name: "mem_cube_id", request: () => ({ body: { mem_cube_id: CUBE } }) },
  {
    route: "get_memory_dashboard",
    name: "a page, preference and tool memory left out",
    request: () => ({ body: { mem_cube_id: CUBE, user_id: USER, page: 1, page_size: 2, include_preference: false, include_tool_memory: false } }),
  },
  { route: "get_user_names_by_memory_ids", name: "memory_ids", request: (context) => ({ body: { memory_ids: [at(context, 0)] } }) },

  // ---- deletes (last: they remove what the reads used) ----
  {
    route: "delete_memory",
    name: "two modes: memory_ids + user_id (MemOS: 200 failure)",
    request: (context) => ({ body: { memory_ids: [at(context, -1)], user_id: USER } }),
    expectMessage: "Exactly one delete mode must be provided: memory_ids, file_ids, or filter/user_id/session_id.",
    check: failed,
    deliberate: "user_id beside another selector names the acting user; memcube deletes the memory_ids (issue 17)",
  },
  {
    route: "delete_memory",
    name: "empty filter (MemOS: 200 failure)",
    request: () => ({ body: { writable_cube_ids: [CUBE], filter: {} } }),
    expectMessage: "filter cannot be empty. Provide a non-empty filter or user_id/session_id.",
    check: failed,
  },
  {
    route: "delete_memory",
    name: "conversation_id differs from session_id (MemOS: 422)",
    request: () => ({ body: { writable_cube_ids: [CUBE], session_id: "a", conversation_id: "b" } }),
    expectStatus: 422,
  },
  {
    route: "delete_memory",
    name: "writable_cube_ids + memory_ids (no user_id)",
    request: (context) => ({ body: { writable_cube_ids: [CUBE], memory_ids: [at(context, -1)] } }),
  },
  { route: "delete_memory", name: "file_ids", request: () => ({ body: { writable_cube_ids: [CUBE], file_ids: ["file_compat_123"] } }) },
  {
    route: "delete_memory",
    name: "filter without user_id",
    request: () => ({ body: { writable_cube_ids: [CUBE], filter: { and: [{ session_id: "session_deprecated_1" }] } } }),
  },
  {
    route: "delete_memory",
    name: "quick delete by conversation_id",
    request: () => ({ body: { writable_cube_ids: [CUBE], conversation_id: "session_with_history" } }),
  },
  { route: "delete_memory", name: "quick delete by user_id", request: () => ({ body: { writable_cube_ids: ["用户_001"], user_id: "用户_001" } }) },
  { route: "delete_memory_by_record_id", name: "soft delete", request: () => ({ body: { mem_cube_id: CUBE, record_id: "record-compat-1" } }) },
  { route: "recover_memory_by_record_id", name: "recover", request: () => ({ body: { mem_cube_id: CUBE, delete_record_id: "record-compat-1" } }) },
  { route: "delete_memory_by_record_id", name: "soft delete again", request: () => ({ body: { mem_cube_id: CUBE, record_id: "record-compat-2" } }) },
  {
    route: "delete_memory_by_record_id",
    name: "hard delete of the record",
    request: () => ({ body: { mem_cube_id: CUBE, record_id: "record-compat-2", hard_delete: true } }),
  },
  {
    route: "recover_memory_by_record_id",
    name: "recover a purged record",
    request: () => ({ body: { mem_cube_id: CUBE, delete_record_id: "record-compat-2" } }),
  },
];

/** A cube of the preference scenario (its server extracts memories with the fake model). */
export const PREFERENCE_CUBE = "compat_pref_cube_001";
/** What the fake extraction model answers in the preference scenario. */
export const PREFERENCE_TEXT = "The user prefers quiet hotels near the old town.";

/**
 * The preference scenario, run against a memcube whose extraction model (the fake one) turns the
 * conversation into one preference and one fact: MemOS then fills `pref_mem` and `pref_string`.
 */
export const MEMOS_PREFERENCE_PROBES: readonly Probe[] = [
  add("fine sync add that yields a preference", () => ({
    user_id: USER,
    writable_cube_ids: [PREFERENCE_CUBE],
    async_mode: "sync",
    mode: "fine",
    messages: [
      { role: "user", content: "Please book somewhere quiet near the old town; loud places ruin my sleep.", chat_time: "2025-11-24T10:00:10Z" },
      { role: "assistant", content: "Understood, quiet places near the old town.", chat_time: "2025-11-24T10:00:15Z" },
    ],
  })),
  {
    route: "search",
    name: "eval client, single cube with a preference hit",
    request: () => ({
      body: {
        query: "Which hotel should I book?",
        user_id: USER,
        mem_cube_id: PREFERENCE_CUBE,
        conversation_id: "",
        top_k: 10,
        mode: "fast",
        include_preference: true,
        pref_top_k: 6,
      },
    }),
    check: (json) => {
      const data = (json as { data?: { pref_mem?: { memories?: unknown[] }[]; pref_string?: unknown } })?.data;
      const hits = data?.pref_mem?.[0]?.memories?.length ?? 0;
      const out: string[] = [];
      if (hits === 0) out.push("data.pref_mem[0].memories: expected the preference hit");
      if (typeof data?.pref_string !== "string" || !data.pref_string.includes(PREFERENCE_TEXT)) {
        out.push("data.pref_string: expected a string naming the preference (MemOS sets it whenever a single-cube search has preference hits)");
      }
      return out;
    },
  },
  // ---- feedback: MemOS always has its feedback model; memcube needs its extraction model, which this server has ----
  add(
    "example 06a (is_feedback)",
    () => ({
      user_id: USER,
      writable_cube_ids: [PREFERENCE_CUBE],
      session_id: "session_feedback_1",
      is_feedback: true,
      messages: [{ role: "user", content: "That hotel was over my budget, cheaper please.", chat_time: "2025-11-24T10:30:00Z" }],
    }),
    { expectMessage: "Memory feedback successfully", after: () => undefined },
  ),
  {
    route: "feedback",
    name: "async (default)",
    request: (context) => ({
      body: {
        user_id: USER,
        writable_cube_ids: [PREFERENCE_CUBE],
        history: [
          { role: "user", content: "Which hotel should I book?" },
          { role: "assistant", content: "The Grand Palace, it is lively." },
        ],
        feedback_content: "No, I said I prefer quiet hotels.",
        retrieved_memory_ids: [at(context, 0)],
      },
    }),
  },

  {
    route: "feedback",
    name: "sync with corrected_answer",
    request: (context) => ({
      body: {
        user_id: USER,
        writable_cube_ids: [PREFERENCE_CUBE],
        history: [{ role: "user", content: "Which hotel should I book?" }],
        feedback_content: "Somewhere quiet, as I said.",
        retrieved_memory_ids: [at(context, 0)],
        async_mode: "sync",
        corrected_answer: true,
      },
    }),
  },
];

function failed(json: unknown): string[] {
  const status = (json as { data?: { status?: unknown } })?.data?.status;
  return status === "failure" ? [] : [`data.status: expected "failure", got ${JSON.stringify(status)}`];
}

function emptyList(json: unknown): string[] {
  const data = (json as { data?: unknown })?.data;
  return Array.isArray(data) && data.length === 0 ? [] : ["data: expected [] (MemOS has no act_mem)"];
}
