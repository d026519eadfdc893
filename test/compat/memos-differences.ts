/**
 * Where memcube differs from MemOS's `server_api` on purpose, as decided in issue 17: the only
 * differences the compatibility suite allows. Each names the routes concerned, what MemOS does,
 * what memcube does instead, why, and where it is observed: the probes that show it, with the exact
 * mismatches each gives (memos-shapes.test.ts asserts a probe's mismatches are exactly those its
 * differences list, and none where no difference is listed), or, for what no response shape shows
 * (a 403, a header, a default), the test files that assert it. docs/api.md's "MemOS compatibility"
 * table shows every entry (a test checks it names each id).
 */
export interface DeliberateDifference {
  id: string;
  /** MEMOS_ROUTES ids, or "*" for every route. */
  routes: readonly string[];
  memos: string;
  memcube: string;
  why: string;
  /** `<route id>: <probe name>` → the mismatches the probe reports because of this difference, exactly. */
  probes?: Readonly<Record<string, readonly string[]>>;
  /** Test files (from the repository root) asserting the difference where no probe's shape shows it. */
  guardedBy?: readonly string[];
}

export const MEMCUBE_DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
  {
    id: "cube-access-control",
    routes: ["*"],
    memos: "Any caller may read or write any cube it names.",
    memcube: "A cube has an owner and read/write shares; naming another user's cube is a 403.",
    why: "MemOS's open access is unsafe for a server shared by several users.",
    guardedBy: ["test/api/access-matrix.test.ts"],
  },
  {
    id: "api-keys",
    routes: ["*"],
    memos: "The server_api router has no authentication.",
    memcube:
      "With API keys configured, `Authorization: Bearer <key>` or `Token <key>` is required and the key decides the acting user; user_id stays optional wherever MemOS has it optional.",
    why: "Without keys, user_id is whatever a client claims.",
    guardedBy: ["test/api/auth.test.ts"],
  },
  {
    id: "no-stack-traces",
    routes: ["*"],
    memos: "Chat failures put a Python traceback in the error message or the stream's error frame.",
    memcube: "Errors name the field and the problem (4xx) or only a request id (5xx); never a stack trace.",
    why: "Tracebacks leak internals and paths.",
    guardedBy: ["test/api/errors.test.ts"],
  },
  {
    id: "delete-user-id-is-the-actor",
    routes: ["delete_memory"],
    memos:
      "user_id is a filter-mode condition, so user_id beside memory_ids, file_ids, filter or session_id counts as a second mode (200, status failure) or narrows the filter.",
    memcube: "user_id given beside another selector names the acting user; it is not a delete mode of its own.",
    why: "Clients send user_id with every request to say who acts; refusing or narrowing on it surprises them.",
    probes: {
      "delete_memory: two modes: memory_ids + user_id (MemOS: 200 failure)": [
        'message: Invalid input: expected "Exactly one delete mode must be provided: memory_ids, file_ids, or filter/user_id/session_id."',
        'data.status: expected "failure", got "success"',
      ],
    },
    guardedBy: ["test/api/memos-requests.test.ts"],
  },
  {
    id: "search-relativity-default",
    routes: ["search"],
    memos: "relativity defaults to 0.45.",
    memcube: "relativity defaults to 0 (no cut); a value a client sends gets memcube's calibrated cut.",
    why: "memcube's scores are not MemOS's: 0.45 would drop good hits.",
    guardedBy: ["test/api/memos-requests.test.ts"],
  },
  {
    id: "safety-clamps",
    routes: ["*"],
    memos: "No upper limits (e.g. top_k only >= 1).",
    memcube:
      "Where a limit is needed for safety, the value is clamped and the clamp reported in a response header (x-memcube-notice); a MemOS-valid value is never refused and MemOS's message is unchanged.",
    why: "Unbounded work per request is a denial of service.",
    guardedBy: ["test/api/memos-requests.test.ts"],
  },
  {
    id: "id-alphabet",
    routes: ["*"],
    memos: "user and cube ids are any string.",
    memcube:
      "Ids are Unicode letters (with combining marks) and digits plus _ - . : @, 1–128 characters after NFC normalisation; never /, \\, NUL or control characters.",
    why: "Ids become keys, file names and log fields.",
    guardedBy: ["test/api/validation.test.ts"],
  },
  {
    id: "search-text-bucket-per-cube",
    routes: ["search"],
    memos: "A searched cube with no text hits is left out of text_mem (no hit at all: text_mem is []).",
    memcube: "text_mem keeps one bucket per searched cube, empty when it has no hits, as pref_mem, tool_mem and skill_mem do.",
    why: "Clients read text_mem[0].memories; an empty bucket is harmless, a missing one is a crash.",
    guardedBy: ["test/api/memory.test.ts"],
  },
  {
    id: "preference-note-wording",
    routes: ["search"],
    memos: "pref_note is MemOS's fixed instruction text; preferences are explicit or implicit.",
    memcube: "pref_note is memcube's own instruction in the same place and language rule; every preference is an explicit_preference.",
    why: "MemOS's text is not ours to copy; memcube's extraction does not tell explicit from implicit preferences.",
    guardedBy: ["test/api/preference-note.test.ts"],
  },
  {
    id: "free-text-chat-time",
    routes: ["add"],
    memos: "chat_time is kept as the text given, also as the source's time.",
    memcube: "A chat_time that is not a time is kept as given in info.given_chat_time; the add time is the memory's and source's chat_time.",
    why: "Messages are ordered (context windows, recency) by their time: a time is needed.",
    guardedBy: ["test/api/memos-add-shapes.test.ts"],
  },
  {
    id: "files-kept-unread",
    routes: ["add"],
    memos: "File parts and doc_path are parsed into document memories.",
    memcube:
      "A file part with file_data is read and chunked into document memories (docs/documents.md); one with a name and no content, and doc_path, are stored as the source they are ([file: <name>], metadata.source 'file', info.file_id/filename/doc_path), since memcube never reads a server path.",
    why: "A path names a file on the client's machine or MemOS's; reading server paths a client names would expose the server's files.",
    guardedBy: ["test/api/memos-add-shapes.test.ts", "test/api/documents.test.ts"],
  },
  {
    id: "chat-tool-history-as-text",
    routes: ["chat_complete", "chat_stream"],
    memos: "History messages are passed on as they are.",
    memcube: "Tool calls and tool results in history reach the model as assistant text ([tool call …], [tool result] …).",
    why: "A model API refuses a tool message without the tool call it answers; the history is context, not a tool loop.",
    guardedBy: ["test/api/memos-requests.test.ts"],
  },
  {
    id: "admin-only-cross-user-routes",
    routes: ["get_user_names_by_memory_ids", "scheduler_allstatus"],
    memos: "Anyone may call them.",
    memcube: "With API keys they need an admin key.",
    why: "They reveal other users.",
    guardedBy: ["test/api/access-matrix.test.ts"],
  },
  {
    id: "task-queue-without-redis",
    routes: ["scheduler_task_queue_status"],
    memos: "Needs its Redis task queue (503 without it); a user with no queue stream is a 404.",
    memcube:
      "The durable job queue in the store answers: one queue per cube and task kind the user has tasks in, `memcube:<user>:<cube>:<kind>`; a user with no task gets empty lists and zero counts (200).",
    why: "memcube has no Redis; a user who has not added anything yet has nothing queued, which is an answer, not an error.",
    guardedBy: ["test/api/scheduler-routes.test.ts"],
  },
  {
    id: "register-cube-records",
    routes: ["register_cube"],
    memos: "Only validates the request: nothing is stored, nothing read from disk.",
    memcube:
      "Records the cube (id, owner, mem_cube_name_or_path as its name) and never reads the path; a path as the only name needs mem_cube_id (ids cannot hold '/'). The message stays MemOS's.",
    why: "A registered cube should exist afterwards, owned by its user, so that access control applies to it; reading a client-given path would open the server's files.",
    guardedBy: ["test/api/cube-registry.test.ts"],
  },
  {
    id: "memory-ids-readable-only",
    routes: ["get_memory_by_ids"],
    memos: "Answers every id it finds, whoever asks.",
    memcube: "With API keys, memories of cubes the key's user may not read are left out, exactly as unknown ids.",
    why: "Cube access control: an id must not open another user's memory.",
    guardedBy: ["test/api/memory-lookup.test.ts"],
  },
  {
    id: "playground-stream-extras",
    routes: ["chat_stream_playground"],
    memos: "The time frame's speed_improvement is an estimate computed from the prompt's length; beginner_guide_step selects canned answers.",
    memcube: 'speed_improvement is "n/a" (nothing is estimated); beginner_guide_step is accepted and has no effect.',
    why: "A made-up speed figure would mislead; the canned guide texts are MemOS's product copy, not memory behaviour.",
    guardedBy: ["test/api/chat-streams.test.ts"],
  },
  {
    id: "chat-stream-frames",
    routes: ["chat_stream"],
    memos: "chat/stream sends only its three frame types (text, reasoning, error); status, reference, time and end frames come from chat/stream/playground.",
    memcube: "chat/stream also sends the status, reference, time and end frames, in the shapes MemOS's playground stream gives them.",
    why: "MemOS's clients already handle these frame types from its playground stream, and a client that reads only text frames ignores the others: the extra frames cost nothing and tell a client what was searched and when the answer ends.",
    probes: {
      "chat_stream: mem_cube_id": [
        'frame type "status": not sent by MemOS on this route, or not in its shape',
        'frame type "reference": not sent by MemOS on this route, or not in its shape',
        'frame type "time": not sent by MemOS on this route, or not in its shape',
        'frame type "end": not sent by MemOS on this route, or not in its shape',
      ],
    },
    guardedBy: ["test/api/chat-streams.test.ts"],
  },
  {
    id: "feedback-needs-extraction-model",
    routes: ["feedback", "add"],
    memos: "Feedback is always taken: MemOS's server builds its feedback model with the others.",
    memcube:
      "Feedback needs the extraction model (MEMRADER_* or MEMCUBE_EXTRACT_MODEL): without one /product/feedback is a 503 saying what to set, and an add with is_feedback is stored as a normal add (with x-memcube-notice), as MemOS falls back when feedback fails.",
    why: "memcube runs without any model by default; a feedback nobody can apply must not be acknowledged as if it would be.",
    guardedBy: ["test/api/feedback.test.ts"],
  },
  {
    id: "feedback-may-delete",
    routes: ["feedback", "add"],
    memos: "Feedback only adds memories and updates them (the old version archived); sync answers record {add, update}.",
    memcube:
      "The model may also delete a memory the feedback shows to be wrong (erased as delete_memory erases); sync answers record.delete beside add and update, and the tasks that did the work.",
    why: '"I never had a cat" leaves nothing to update: keeping the wrong memory would keep the wrong answer.',
    guardedBy: ["test/api/feedback.test.ts"],
  },
  {
    id: "acknowledged-writes",
    routes: ["add"],
    memos: "An add can answer 200 before anything is stored (the scheduler writes later, and can lose it).",
    memcube: "Every memory an add returns is committed and searchable when the response is sent, and survives kill -9; async work is a durable job.",
    why: "A 200 that can be lost is a lie to the client.",
    guardedBy: ["test/server/kill.test.ts"],
  },
  {
    id: "routes-of-its-own",
    routes: ["*"],
    memos: "The /product routes only.",
    memcube: "Also share_cube, delete_cube and list_cubes; /ready, /metrics and /admin/jobs/*; the OpenAI-compatible /v1/*; /playground.",
    why: "Sharing, operations and the OpenAI drop-in need them; MemOS clients never call them.",
    guardedBy: ["test/api/cubes.test.ts", "test/api/openai.test.ts"],
  },
  {
    id: "soft-delete-retention",
    routes: ["delete_memory_by_record_id", "recover_memory_by_record_id"],
    memos: "Memories soft-deleted under a record id are kept, recoverable, until a hard_delete of that record id.",
    memcube:
      "They are recoverable for MEMCUBE_SOFT_DELETE_RETENTION (default 30 days), then the server purges them (erased as delete_memory erases); a recover of a purged or unknown record id answers MemOS's success with recovered 0.",
    why: "A delete a user asked for must end in erasure some day; kept forever, a soft delete would hold personal data indefinitely.",
    guardedBy: ["test/api/soft-delete.test.ts"],
  },
  {
    id: "dashboard-default-cube",
    routes: ["get_memory_dashboard"],
    memos: "Without mem_cube_id the dashboard lists the memories of every cube (filtered by user_id when given), grouped by cube.",
    memcube: "Without mem_cube_id it reads the acting user's own cube (id = user id).",
    why: "Cube access control: an overview of every cube would show other users' memories.",
    guardedBy: ["test/api/soft-delete.test.ts"],
  },
];

/** The mismatches a probe reports because of deliberate differences (empty: it must match MemOS exactly). */
export function deliberateMismatches(probeKey: string): string[] {
  return MEMCUBE_DELIBERATE_DIFFERENCES.flatMap((entry) => [...(entry.probes?.[probeKey] ?? [])]);
}

/** The ids of the deliberate differences a probe shows. */
export function differencesShownBy(probeKey: string): string[] {
  return MEMCUBE_DELIBERATE_DIFFERENCES.filter((entry) => entry.probes?.[probeKey] !== undefined).map((entry) => entry.id);
}
