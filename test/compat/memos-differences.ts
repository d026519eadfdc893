/**
 * Where memcube differs from MemOS's `server_api` on purpose, as decided in issue 17: the only
 * differences the compatibility suite is to allow. Each names the routes concerned, what MemOS
 * does, what memcube does instead, and why. (Decided, not all built yet: see
 * docs/memos-compatibility-status.md for what is measured today.)
 */
export interface DeliberateDifference {
  id: string;
  /** MEMOS_ROUTES ids, or "*" for every route. */
  routes: readonly string[];
  memos: string;
  memcube: string;
  why: string;
}

export const MEMCUBE_DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
  {
    id: "cube-access-control",
    routes: ["*"],
    memos: "Any caller may read or write any cube it names.",
    memcube: "A cube has an owner and read/write shares; naming another user's cube is a 403.",
    why: "MemOS's open access is unsafe for a server shared by several users.",
  },
  {
    id: "api-keys",
    routes: ["*"],
    memos: "The server_api router has no authentication.",
    memcube:
      "With API keys configured, `Authorization: Bearer <key>` or `Token <key>` is required and the key decides the acting user; user_id stays optional wherever MemOS has it optional.",
    why: "Without keys, user_id is whatever a client claims.",
  },
  {
    id: "no-stack-traces",
    routes: ["*"],
    memos: "Chat failures put a Python traceback in the error message or the stream's error frame.",
    memcube: "Errors name the field and the problem (4xx) or only a request id (5xx); never a stack trace.",
    why: "Tracebacks leak internals and paths.",
  },
  {
    id: "delete-user-id-is-the-actor",
    routes: ["delete_memory"],
    memos:
      "user_id is a filter-mode condition, so user_id beside memory_ids, file_ids, filter or session_id counts as a second mode (200, status failure) or narrows the filter.",
    memcube: "user_id given beside another selector names the acting user; it is not a delete mode of its own.",
    why: "Clients send user_id with every request to say who acts; refusing or narrowing on it surprises them.",
  },
  {
    id: "search-relativity-default",
    routes: ["search"],
    memos: "relativity defaults to 0.45.",
    memcube: "relativity defaults to 0 (no cut); a value a client sends gets memcube's calibrated cut.",
    why: "memcube's scores are not MemOS's: 0.45 would drop good hits.",
  },
  {
    id: "safety-clamps",
    routes: ["*"],
    memos: "No upper limits (e.g. top_k only >= 1).",
    memcube:
      "Where a limit is needed for safety, the value is clamped and the clamp reported in a response header (x-memcube-notice); a MemOS-valid value is never refused and MemOS's message is unchanged.",
    why: "Unbounded work per request is a denial of service.",
  },
  {
    id: "id-alphabet",
    routes: ["*"],
    memos: "user and cube ids are any string.",
    memcube:
      "Ids are Unicode letters (with combining marks) and digits plus _ - . : @, 1–128 characters after NFC normalisation; never /, \\, NUL or control characters.",
    why: "Ids become keys, file names and log fields.",
  },
  {
    id: "search-text-bucket-per-cube",
    routes: ["search"],
    memos: "A searched cube with no text hits is left out of text_mem (no hit at all: text_mem is []).",
    memcube: "text_mem keeps one bucket per searched cube, empty when it has no hits, as pref_mem, tool_mem and skill_mem do.",
    why: "Clients read text_mem[0].memories; an empty bucket is harmless, a missing one is a crash.",
  },
  {
    id: "preference-note-wording",
    routes: ["search"],
    memos: "pref_note is MemOS's fixed instruction text; preferences are explicit or implicit.",
    memcube: "pref_note is memcube's own instruction in the same place and language rule; every preference is an explicit_preference.",
    why: "MemOS's text is not ours to copy; memcube's extraction does not tell explicit from implicit preferences.",
  },
  {
    id: "free-text-chat-time",
    routes: ["add"],
    memos: "chat_time is kept as the text given, also as the source's time.",
    memcube: "A chat_time that is not a time is kept as given in info.given_chat_time; the add time is the memory's and source's chat_time.",
    why: "Messages are ordered (context windows, recency) by their time: a time is needed.",
  },
  {
    id: "files-kept-unread",
    routes: ["add"],
    memos: "File parts and doc_path are parsed into document memories.",
    memcube:
      "A file part with file_data is read and chunked into document memories (docs/documents.md); one with a name and no content, and doc_path, are stored as the source they are ([file: <name>], metadata.source 'file', info.file_id/filename/doc_path), since memcube never reads a server path.",
    why: "A path names a file on the client's machine or MemOS's; reading server paths a client names would expose the server's files.",
  },
  {
    id: "chat-tool-history-as-text",
    routes: ["chat_complete", "chat_stream"],
    memos: "History messages are passed on as they are.",
    memcube: "Tool calls and tool results in history reach the model as assistant text ([tool call …], [tool result] …).",
    why: "A model API refuses a tool message without the tool call it answers; the history is context, not a tool loop.",
  },
  {
    id: "admin-only-cross-user-routes",
    routes: ["get_user_names_by_memory_ids", "scheduler_allstatus"],
    memos: "Anyone may call them.",
    memcube: "With API keys they need an admin key.",
    why: "They reveal other users.",
  },
  {
    id: "task-queue-without-redis",
    routes: ["scheduler_task_queue_status"],
    memos: "Needs its Redis task queue (503 without it); a user with no queue stream is a 404.",
    memcube:
      "The durable job queue in the store answers: one queue per cube and task kind the user has tasks in, `memcube:<user>:<cube>:<kind>`; a user with no task gets empty lists and zero counts (200).",
    why: "memcube has no Redis; a user who has not added anything yet has nothing queued, which is an answer, not an error.",
  },
  {
    id: "register-cube-records",
    routes: ["register_cube"],
    memos: "Only validates the request: nothing is stored, nothing read from disk.",
    memcube:
      "Records the cube (id, owner, mem_cube_name_or_path as its name) and never reads the path; a path as the only name needs mem_cube_id (ids cannot hold '/'). The message stays MemOS's.",
    why: "A registered cube should exist afterwards, owned by its user, so that access control applies to it; reading a client-given path would open the server's files.",
  },
  {
    id: "memory-ids-readable-only",
    routes: ["get_memory_by_ids"],
    memos: "Answers every id it finds, whoever asks.",
    memcube: "With API keys, memories of cubes the key's user may not read are left out, exactly as unknown ids.",
    why: "Cube access control: an id must not open another user's memory.",
  },
  {
    id: "playground-stream-extras",
    routes: ["chat_stream_playground"],
    memos: "The time frame's speed_improvement is an estimate computed from the prompt's length; beginner_guide_step selects canned answers.",
    memcube: 'speed_improvement is "n/a" (nothing is estimated); beginner_guide_step is accepted and has no effect.',
    why: "A made-up speed figure would mislead; the canned guide texts are MemOS's product copy, not memory behaviour.",
  },
];
