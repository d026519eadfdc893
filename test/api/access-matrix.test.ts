/**
 * Every route × every access case, in one table: the cube's owner, a user it is shared with for
 * reading, one it is shared with for writing, a stranger, and a cube that does not exist; with API
 * keys also the admin key, another user's key, an unknown key, no key, and the owner's and an
 * admin's read-only keys. Each refused request must answer the same envelope on every route, reveal
 * nothing of the cube, and change nothing; a read-only key changes nothing on any route.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { script } from "../support/extraction.js";
import { extractionEnv } from "../support/extraction.js";
import { modelList } from "../support/chat.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestServer, type Json, type TestServer } from "../support/server.js";

const KEYS = {
  "sk-owner-3b9f2d7e1c8a4f60": "owner",
  "sk-reader-8d2c6a1f9e4b7d35": "reader",
  "sk-writer-1f7e3c9a5d2b8e64": "writer",
  "sk-stranger-6a4d8f2c0e9b1c73": "stranger",
  "sk-admin-9e1b5d3f7a2c6e48": "*",
};
/** Read-only keys: may read and chat (without write-back), refused every write route. */
const READ_ONLY_KEYS = {
  "sk-owner-ro-4c8e2a6f0d3b9e17": { user: "owner", access: "read" },
  "sk-admin-ro-7f3b1d9e5a2c8e60": { user: "*", access: "read" },
};
const bearer = (user: string) => {
  const key = Object.entries(KEYS).find(([, actor]) => actor === user)?.[0];
  return { authorization: `Bearer ${key}` };
};

type AccessCase = "owner" | "reader" | "writer" | "stranger" | "unknown";
type KeyCase = "admin" | "other key" | "unknown key" | "no key" | "read-only key" | "read-only admin";

/** How a case sends its request: as whom, with which key, on which cube. */
const CASES: Record<AccessCase | KeyCase, { actor: string; headers?: Record<string, string>; unknownCube?: boolean; keysOnly?: boolean }> = {
  owner: { actor: "owner" },
  reader: { actor: "reader" },
  writer: { actor: "writer" },
  stranger: { actor: "stranger" },
  unknown: { actor: "owner", unknownCube: true },
  admin: { actor: "owner", headers: bearer("*"), keysOnly: true },
  "other key": { actor: "owner", headers: bearer("stranger"), keysOnly: true },
  "unknown key": { actor: "owner", headers: { authorization: "Bearer sk-owner-3b9f2d7e1c8a4f61" }, keysOnly: true },
  "no key": { actor: "owner", headers: {}, keysOnly: true },
  "read-only key": { actor: "owner", headers: { authorization: "Bearer sk-owner-ro-4c8e2a6f0d3b9e17" }, keysOnly: true },
  "read-only admin": { actor: "owner", headers: { authorization: "Bearer sk-admin-ro-7f3b1d9e5a2c8e60" }, keysOnly: true },
};
const BUSINESS_KEY = "bk-matrix-5d1e8a3c";
const isReadOnlyCase = (name: AccessCase | KeyCase) => name === "read-only key" || name === "read-only admin";

/** What one request sees of its fixture: a cube holding the owner's secret, shared with reader (read) and writer (write). */
interface Fixture {
  cube: string;
  actor: string;
  memoryId: string;
  taskId: string;
}

interface Call {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The statuses of the five access cases; the key cases follow from them. */
type Expect = Record<AccessCase, number>;
// A cube nobody has written reads as empty, as in MemOS (and is not created by the read).
const READ: Expect = { owner: 200, reader: 200, writer: 200, stranger: 403, unknown: 200 };
const WRITE_CREATING: Expect = { owner: 200, reader: 403, writer: 200, stranger: 403, unknown: 200 };
const WRITE: Expect = { owner: 200, reader: 403, writer: 200, stranger: 403, unknown: 404 };
const MANAGE: Expect = { owner: 200, reader: 403, writer: 403, stranger: 403, unknown: 404 };
const ANYONE: Expect = { owner: 200, reader: 200, writer: 200, stranger: 200, unknown: 200 };
/** Reads a cube, one nobody has written reading as empty (issue 17: MemOS answers 200). */
/** register_cube: its owner may register it again, nobody else; an unknown cube is created. */
const REGISTER: Expect = { owner: 200, reader: 403, writer: 403, stranger: 403, unknown: 200 };
const READ_EMPTY: Expect = { owner: 200, reader: 200, writer: 200, stranger: 403, unknown: 200 };
/** Soft delete and recover: a writer's; a cube nobody has written holds nothing, so 200 with nothing done (MemOS: success). */
const SOFT_WRITE: Expect = { owner: 200, reader: 403, writer: 200, stranger: 403, unknown: 200 };

interface Row {
  route: string;
  call: (f: Fixture) => Call;
  expect: Expect;
  /** The route acts for no user (any valid key will do). */
  actorless?: boolean;
  /**
   * The request names no user: in open mode the acting user is the owner of each cube it reaches, so
   * any caller reads what it names; only API keys narrow it.
   */
  namesNoUser?: boolean;
  /** The route reveals other users: with API keys only an admin key may call it (open mode: anyone). */
  adminOnly?: boolean;
  /** An event stream that ends with a frame of its own (not chat's `{type: "end"}`). */
  streamEnd?: (frame: unknown) => boolean;
  /** 403/404 name the cube (`user 'x' may not … cube 'c'`, `cube 'c' does not exist`). */
  namesCube?: boolean;
  /** Answers in OpenAI's wire format (the /v1 routes); see `asEnvelope`. */
  openai?: boolean;
  /**
   * With a read-only key: `read` answers as for the owner, `chat` too but writes nothing back,
   * `write` is refused (403). Every row must say, so that no write route is missed.
   */
  readOnly: "read" | "chat" | "write";
}

const post = (path: string, body: unknown): Call => ({ method: "POST", path, body });
const get = (path: string): Call => ({ method: "GET", path });
const q = encodeURIComponent;

const ROWS: Row[] = [
  {
    route: "/product/add",
    readOnly: "write",
    call: (f) => post("/product/add", { user_id: f.actor, writable_cube_ids: [f.cube], messages: "a new note", mode: "fast" }),
    expect: WRITE_CREATING,
    namesCube: true,
  },
  {
    route: "/product/add (is_feedback)",
    readOnly: "write",
    call: (f) =>
      post("/product/add", { user_id: f.actor, writable_cube_ids: [f.cube], is_feedback: true, messages: [{ role: "user", content: "that was wrong" }] }),
    expect: WRITE_CREATING,
    namesCube: true,
  },
  {
    route: "/product/feedback",
    readOnly: "write",
    call: (f) =>
      post("/product/feedback", {
        user_id: f.actor,
        writable_cube_ids: [f.cube],
        history: [{ role: "user", content: "what is the launch code?" }],
        feedback_content: "that answer was wrong",
        retrieved_memory_ids: [f.memoryId],
      }),
    expect: WRITE_CREATING,
    namesCube: true,
  },
  {
    route: "/product/search",
    readOnly: "read",
    call: (f) => post("/product/search", { user_id: f.actor, readable_cube_ids: [f.cube], query: "launch code" }),
    expect: READ,
    namesCube: true,
  },
  {
    route: "/product/chat/complete",
    readOnly: "chat",
    call: (f) =>
      post("/product/chat/complete", { user_id: f.actor, query: "what is the launch code?", readable_cube_ids: [f.cube], writable_cube_ids: [f.actor] }),
    expect: READ,
    namesCube: true,
  },
  {
    route: "/product/chat/complete (writing the cube)",
    readOnly: "chat",
    call: (f) => post("/product/chat/complete", { user_id: f.actor, query: "remember this turn", readable_cube_ids: [f.cube], writable_cube_ids: [f.cube] }),
    expect: WRITE_CREATING,
    namesCube: true,
  },
  {
    route: "/product/chat/stream",
    readOnly: "chat",
    call: (f) =>
      post("/product/chat/stream", { user_id: f.actor, query: "what is the launch code?", readable_cube_ids: [f.cube], writable_cube_ids: [f.actor] }),
    expect: READ,
    namesCube: true,
  },
  {
    route: "/product/chat/stream (writing the cube)",
    readOnly: "chat",
    call: (f) => post("/product/chat/stream", { user_id: f.actor, query: "remember this turn", readable_cube_ids: [f.cube], writable_cube_ids: [f.cube] }),
    expect: WRITE_CREATING,
    namesCube: true,
  },
  {
    route: "/product/chat/stream/playground",
    readOnly: "chat",
    call: (f) =>
      post("/product/chat/stream/playground", {
        user_id: f.actor,
        query: "what is the launch code?",
        readable_cube_ids: [f.cube],
        writable_cube_ids: [f.actor],
      }),
    expect: READ,
    namesCube: true,
  },
  {
    route: "/product/chat/stream/playground (writing the cube)",
    readOnly: "chat",
    call: (f) =>
      post("/product/chat/stream/playground", { user_id: f.actor, query: "remember this turn", readable_cube_ids: [f.cube], writable_cube_ids: [f.cube] }),
    expect: WRITE_CREATING,
    namesCube: true,
  },
  {
    route: "/product/chat/stream/business_user",
    readOnly: "chat",
    call: (f) =>
      post("/product/chat/stream/business_user", {
        user_id: f.actor,
        query: "what is the launch code?",
        business_key: BUSINESS_KEY,
        need_search: true,
        readable_cube_ids: [f.cube],
        writable_cube_ids: [f.cube],
      }),
    expect: WRITE_CREATING,
    namesCube: true,
    // MemOS's business stream has no closing frame: it ends with the answer's last piece.
    streamEnd: (frame) => (frame as { type?: string }).type === "text",
  },
  {
    route: "/product/get_all",
    readOnly: "read",
    call: (f) => post("/product/get_all", { user_id: f.actor, mem_cube_ids: [f.cube] }),
    expect: READ,
    namesCube: true,
  },
  {
    route: "/product/get_memory",
    readOnly: "read",
    call: (f) => post("/product/get_memory", { user_id: f.actor, mem_cube_id: f.cube }),
    expect: READ,
    namesCube: true,
  },
  {
    route: "/product/get_memory/{id}",
    readOnly: "read",
    call: (f) => get(`/product/get_memory/${f.cube.startsWith("ghost") ? crypto.randomUUID() : f.memoryId}?user_id=${q(f.actor)}`),
    expect: READ,
  },
  {
    route: "/product/delete_memory",
    readOnly: "write",
    call: (f) => post("/product/delete_memory", { user_id: f.actor, writable_cube_ids: [f.cube], memory_ids: [f.memoryId] }),
    expect: WRITE,
    namesCube: true,
  },
  {
    route: "/product/delete_memory_by_record_id",
    readOnly: "write",
    call: (f) => post("/product/delete_memory_by_record_id", { user_id: f.actor, mem_cube_id: f.cube, record_id: "matrix-record" }),
    expect: SOFT_WRITE,
    namesCube: true,
  },
  {
    route: "/product/delete_memory_by_record_id (hard)",
    readOnly: "write",
    call: (f) => post("/product/delete_memory_by_record_id", { user_id: f.actor, mem_cube_id: f.cube, record_id: "matrix-record", hard_delete: true }),
    expect: SOFT_WRITE,
    namesCube: true,
  },
  {
    route: "/product/recover_memory_by_record_id",
    readOnly: "write",
    call: (f) => post("/product/recover_memory_by_record_id", { user_id: f.actor, mem_cube_id: f.cube, delete_record_id: "matrix-record" }),
    expect: SOFT_WRITE,
    namesCube: true,
  },
  {
    route: "/product/get_memory_dashboard",
    readOnly: "read",
    call: (f) => post("/product/get_memory_dashboard", { user_id: f.actor, mem_cube_id: f.cube }),
    expect: READ,
    namesCube: true,
  },
  {
    route: "/product/share_cube",
    readOnly: "write",
    call: (f) => post("/product/share_cube", { user_id: f.actor, cube_id: f.cube, target_user_id: "bystander", access: "write" }),
    expect: MANAGE,
    namesCube: true,
  },
  {
    route: "/product/delete_cube",
    readOnly: "write",
    call: (f) => post("/product/delete_cube", { user_id: f.actor, cube_id: f.cube }),
    expect: MANAGE,
    namesCube: true,
  },
  // Erasure acts on the acting user only (the cube plays no part): anyone may erase themselves, no key another user.
  { route: "/product/delete_user", readOnly: "write", call: (f) => post("/product/delete_user", { user_id: f.actor }), expect: ANYONE },
  {
    route: "/product/create_cube",
    readOnly: "write",
    call: (f) => post("/product/create_cube", { owner_id: f.actor, cube_name: "mine now", cube_id: f.cube }),
    // An existing id is a conflict for everyone, its owner included; a new one is created.
    expect: { owner: 409, reader: 409, writer: 409, stranger: 409, unknown: 200 },
  },
  {
    route: "/product/register_cube",
    readOnly: "write",
    call: (f) => post("/product/register_cube", { mem_cube_name_or_path: "registered again", mem_cube_id: f.cube, user_id: f.actor }),
    expect: REGISTER,
    namesCube: true,
  },
  { route: "/product/list_cubes", readOnly: "read", call: (f) => post("/product/list_cubes", { user_id: f.actor }), expect: ANYONE },
  {
    route: "/product/get_memory_by_ids",
    readOnly: "read",
    call: (f) => post("/product/get_memory_by_ids", [f.cube.startsWith("ghost") ? crypto.randomUUID() : f.memoryId]),
    expect: ANYONE,
    actorless: true,
    namesNoUser: true,
  },
  {
    route: "/product/get_user_names_by_memory_ids",
    readOnly: "read",
    call: (f) => post("/product/get_user_names_by_memory_ids", { memory_ids: [f.memoryId] }),
    expect: ANYONE,
    actorless: true,
    adminOnly: true,
  },
  {
    route: "/product/exist_mem_cube_id",
    readOnly: "read",
    call: (f) => post("/product/exist_mem_cube_id", { user_id: f.actor, mem_cube_id: f.cube }),
    expect: ANYONE,
  },
  {
    route: "/product/scheduler/status",
    readOnly: "read",
    call: (f) => get(`/product/scheduler/status?user_id=${q(f.actor)}&task_id=${f.cube.startsWith("ghost") ? "no-such-task" : f.taskId}`),
    // A task is its starter's only: anyone else hears "not found", as for a task that does not exist.
    expect: { owner: 200, reader: 404, writer: 404, stranger: 404, unknown: 404 },
  },
  { route: "/product/scheduler/status (list)", readOnly: "read", call: (f) => get(`/product/scheduler/status?user_id=${q(f.actor)}`), expect: ANYONE },
  {
    route: "/product/scheduler/wait",
    readOnly: "read",
    call: (f) => post(`/product/scheduler/wait?user_name=${q(f.actor)}&timeout_seconds=0`, {}),
    expect: ANYONE,
  },
  { route: "/product/models", readOnly: "read", call: () => get("/product/models"), expect: ANYONE, actorless: true },
  { route: "/product/whoami", readOnly: "read", call: () => get("/product/whoami"), expect: ANYONE, actorless: true },
  {
    route: "/product/scheduler/allstatus",
    readOnly: "read",
    call: () => get("/product/scheduler/allstatus"),
    expect: ANYONE,
    actorless: true,
    adminOnly: true,
  },
  {
    route: "/product/scheduler/task_queue_status",
    readOnly: "read",
    call: (f) => get(`/product/scheduler/task_queue_status?user_id=${q(f.actor)}`),
    expect: ANYONE,
  },
  {
    route: "/product/scheduler/wait/stream",
    readOnly: "read",
    call: (f) => get(`/product/scheduler/wait/stream?user_name=${q(f.actor)}&timeout_seconds=0`),
    expect: ANYONE,
    streamEnd: (frame) => ["idle", "timeout"].includes((frame as { status?: string }).status ?? ""),
  },
  {
    route: "/product/suggestions",
    readOnly: "read",
    call: (f) => post("/product/suggestions", { user_id: f.actor, mem_cube_id: f.cube, language: "en" }),
    expect: READ_EMPTY,
    namesCube: true,
  },
  {
    route: "/v1/chat/completions",
    readOnly: "chat",
    call: (f) => ({
      ...post("/v1/chat/completions", { user: f.actor, messages: [{ role: "user", content: "what is the launch code?" }] }),
      headers: { "x-memcube-readable-cubes": f.cube, "x-memcube-writable-cubes": f.actor },
    }),
    expect: READ,
    namesCube: true,
    openai: true,
  },
  {
    route: "/v1/chat/completions (writing the cube)",
    readOnly: "chat",
    call: (f) => ({
      ...post("/v1/chat/completions", { user: f.actor, messages: [{ role: "user", content: "remember this turn" }] }),
      headers: { "x-memcube-readable-cubes": f.cube, "x-memcube-writable-cubes": f.cube },
    }),
    expect: WRITE_CREATING,
    namesCube: true,
    openai: true,
  },
  {
    route: "/v1/chat/completions (stream)",
    readOnly: "chat",
    call: (f) => ({
      ...post("/v1/chat/completions", { user: f.actor, stream: true, messages: [{ role: "user", content: "what is the launch code?" }] }),
      headers: { "x-memcube-readable-cubes": f.cube, "x-memcube-writable-cubes": f.actor },
    }),
    expect: READ,
    namesCube: true,
    openai: true,
  },
  { route: "/v1/models", readOnly: "read", call: () => get("/v1/models"), expect: ANYONE, actorless: true, openai: true },
];

/**
 * The /v1 routes answer in OpenAI's shape: a completion, a model list, chunks ending `data: [DONE]`,
 * or `{"error": {message, type, param, code}}`. Checked here, then seen as the envelope the table's
 * checks expect (the raw text is kept for the leak checks).
 */
function asEnvelope(sent: Sent, label: string): Sent {
  if (sent.contentType.startsWith("text/event-stream")) {
    assert.ok(sent.raw.endsWith("data: [DONE]\n\n"), `${label}: ends with [DONE]`);
    assert.doesNotMatch(sent.raw, /"error"/, label);
    return { ...sent, contentType: "application/json", body: { code: 200, message: "stream", data: null } };
  }
  if (sent.status >= 400) {
    assert.deepEqual(Object.keys(sent.body ?? {}), ["error"], `${label}: OpenAI error shape`);
    assert.deepEqual(Object.keys(sent.body.error).sort(), ["code", "message", "param", "type"], label);
    return { ...sent, body: { code: sent.status, message: sent.body.error.message, data: null } };
  }
  assert.ok(["chat.completion", "list"].includes(sent.body?.object), `${label}: ${sent.raw.slice(0, 200)}`);
  return { ...sent, body: { code: 200, message: "ok", data: sent.body } };
}

function expected(row: Row, name: AccessCase | KeyCase, mode: "keys" | "open"): number {
  if (row.adminOnly && mode === "keys") return name === "unknown key" || name === "no key" ? 401 : name === "admin" || name === "read-only admin" ? 200 : 403;
  switch (name) {
    case "admin":
      return row.expect.owner;
    case "other key":
      return row.actorless ? 200 : 403;
    case "unknown key":
    case "no key":
      return 401;
    case "read-only key":
    case "read-only admin":
      return row.readOnly === "write" ? 403 : row.expect.owner;
    default:
      return row.expect[name];
  }
}

interface Sent {
  status: number;
  body: Json;
  raw: string;
  contentType: string;
}

async function send(server: TestServer, call: Call, headers: Record<string, string>): Promise<Sent> {
  const response = await fetch(`${server.url}${call.path}`, {
    method: call.method,
    headers: { ...(call.body === undefined ? {} : { "content-type": "application/json" }), ...call.headers, ...headers },
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
  });
  const raw = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  return { status: response.status, raw, contentType, body: contentType.startsWith("application/json") ? JSON.parse(raw) : undefined };
}

interface Rig {
  server: TestServer;
  keyed: boolean;
  as(user: string): Record<string, string>;
}

let llm: FakeOpenAI;
let keyedRig: Rig;
let openRig: Rig;
let counter = 0;

before(async () => {
  llm = await startFakeOpenAI();
  script(llm, {}); // extraction finds nothing (the raw memories stay as they are); chat answers `echo: …`
  const env = { CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)), BUSINESS_CHAT_KEYS: JSON.stringify([BUSINESS_KEY]), ...extractionEnv(llm) };
  const [keyed, open] = await Promise.all([
    startTestServer({ ...env, MEMCUBE_API_KEYS: JSON.stringify({ ...KEYS, ...READ_ONLY_KEYS }) }),
    startTestServer(env),
  ]);
  keyedRig = { server: keyed, keyed: true, as: bearer };
  openRig = { server: open, keyed: false, as: () => ({}) };
});
after(async () => {
  await Promise.all([keyedRig.server.cleanup(), openRig.server.cleanup()]);
  await llm.close();
});

/** A fresh cube of the owner's holding one secret memory (with its extraction task), shared with reader and writer. */
async function fixture(rig: Rig): Promise<{ cube: string; secret: string; memoryId: string; taskId: string }> {
  counter += 1;
  const cube = `cube-${counter}`;
  const secret = `The launch code is pineapple${counter}zebra`;
  const added = await send(rig.server, post("/product/add", { user_id: "owner", writable_cube_ids: [cube], messages: secret }), rig.as("owner"));
  assert.equal(added.status, 200, added.raw);
  for (const [user, access] of [
    ["reader", "read"],
    ["writer", "write"],
  ]) {
    const shared = await send(rig.server, post("/product/share_cube", { user_id: "owner", cube_id: cube, target_user_id: user, access }), rig.as("owner"));
    assert.equal(shared.status, 200, shared.raw);
  }
  return { cube, secret, memoryId: added.body.data[0].memory_id, taskId: added.body.data[0].task_id };
}

/** What the owner's cube holds and whom it is shared with, as its owner sees it. */
async function snapshot(rig: Rig, cube: string): Promise<string> {
  const listed = await send(rig.server, post("/product/get_all", { user_id: "owner", mem_cube_ids: [cube] }), rig.as("owner"));
  const reader = await send(rig.server, post("/product/get_all", { user_id: "reader", mem_cube_ids: [cube] }), rig.as("reader"));
  const bystander = await send(rig.server, post("/product/get_all", { user_id: "bystander", mem_cube_ids: [cube] }), rig.as("*"));
  const memories = listed.status === 200 ? listed.body.data[0].memories[0].nodes.map((m: { id: string; memory: string }) => `${m.id}:${m.memory}`) : [];
  return JSON.stringify({ owner: listed.status, memories, reader: reader.status, bystander: bystander.status });
}

async function ghostExists(rig: Rig, cube: string): Promise<boolean> {
  const exists = await send(rig.server, post("/product/exist_mem_cube_id", { user_id: "owner", mem_cube_id: cube }), rig.as("owner"));
  return exists.body.data[cube] as boolean;
}

function assertAnswer(sent: Sent, status: number, label: string, row: Row): void {
  assert.equal(sent.status, status, `${label}: ${sent.raw.slice(0, 300)}`);
  assert.doesNotMatch(sent.raw, /at .*\.ts:\d+|node_modules|\n\s+at /, `${label}: a stack trace`);
  if (sent.contentType.startsWith("text/event-stream")) {
    assert.equal(status, 200);
    const frames = sent.raw
      .split("\n\n")
      .filter((block) => block.trim() !== "")
      .map((block) => JSON.parse(block.replace(/^data: /, "")));
    if (row.streamEnd) assert.ok(row.streamEnd(frames.at(-1)), `${label}: ${sent.raw.slice(-200)}`);
    else assert.deepEqual(frames.at(-1), { type: "end" }, label);
    return;
  }
  assert.ok(sent.body && typeof sent.body === "object", `${label}: JSON envelope`);
  assert.equal(sent.body.code, status, label);
  assert.equal(typeof sent.body.message, "string", label);
  if (status >= 400) assert.equal(sent.body.data, null, label);
}

const CASE_NAMES = Object.keys(CASES) as (AccessCase | KeyCase)[];

describe("cube access: every route × every case", () => {
  test("the table covers every route in the OpenAPI document", async () => {
    const document = await send(openRig.server, get("/openapi.json"), {});
    const documented = Object.keys(document.body.paths).filter((path) => path !== "/health");
    const covered = new Set(ROWS.map((row) => row.route.replace(/ \(.*\)$/, "")));
    assert.deepEqual(
      documented.filter((path) => !covered.has(path)),
      [],
    );
  });

  for (const mode of ["keys", "open"] as const) {
    for (const row of ROWS) {
      for (const name of CASE_NAMES) {
        const spec = CASES[name];
        if (spec.keysOnly && mode === "open") continue;
        test(`${mode}: ${row.route} × ${name}`, async () => {
          const rig = mode === "keys" ? keyedRig : openRig;
          const { cube: realCube, secret, memoryId, taskId } = await fixture(rig);
          const cube = spec.unknownCube ? `ghost-${counter}` : realCube;
          const status = expected(row, name, mode);
          const before = await snapshot(rig, realCube);
          const headers = mode === "keys" ? (spec.headers ?? rig.as(spec.actor)) : {};
          const label = `${mode} ${row.route} × ${name}`;
          const answer = await send(rig.server, row.call({ cube, actor: spec.actor, memoryId, taskId }), headers);
          const sent = row.openai ? asEnvelope(answer, label) : answer;
          assertAnswer(sent, status, label, row);

          if (status >= 400) {
            // Refused: the same answer on every route, nothing of the cube in it, and nothing changed.
            if (status === 401) assert.match(sent.body.message, /^authorization: /);
            if (status === 403 && row.adminOnly) assert.equal(sent.body.message, "this route reveals other users: it needs an admin API key");
            else if (status === 403 && isReadOnlyCase(name)) assert.match(sent.body.message, /^this API key is read-only: (POST|GET) \/\S+ may change data/);
            else if (status === 403 && name === "other key") assert.equal(sent.body.message, "this API key may not act as user 'owner'");
            else if (status === 403 && row.namesCube)
              assert.match(sent.body.message, new RegExp(`^user '${spec.actor}' may not (read|write|manage) cube '${cube}'$`));
            if (status === 404 && row.namesCube) assert.equal(sent.body.message, `cube '${cube}' does not exist`);
            assert.deepEqual(Object.keys(sent.body).sort(), ["code", "data", "message"], label);
            assert.equal(await snapshot(rig, realCube), before, `${label}: the cube changed`);
            if (spec.unknownCube) assert.equal(await ghostExists(rig, cube), false, `${label}: the unknown cube was created`);
          }
          // A read-only key changes nothing, whatever the route: chats answer but write nothing back.
          if (isReadOnlyCase(name)) assert.equal(await snapshot(rig, realCube), before, `${label}: a read-only key changed the cube`);
          const mayRead = ["owner", "reader", "writer", "admin", "read-only key", "read-only admin"].includes(name) && !spec.unknownCube;
          if (!mayRead && !(row.namesNoUser && mode === "open"))
            assert.ok(!sent.raw.includes(secret) && !sent.raw.includes("pineapple"), `${label}: the secret leaked`);
        });
      }
    }
  }
});
