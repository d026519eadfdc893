/** get_memory_by_ids and get_user_names_by_memory_ids (MemOS's routes, issue 17), on both stores. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freshSchema, POSTGRES_SKIP, type TestSchema } from "../support/postgres.js";
import { startTestServer, type TestServer } from "../support/server.js";

const UNKNOWN = "0b9f2c1e-7a4d-4e8b-9c3f-5d6a7b8c9d0e";
const KEYS = { "sk-alice-0123456789abcdef": "alice", "sk-admin-0123456789abcdef": "*" };
const as = (key: string) => ({ authorization: `Bearer ${key}` });

async function added(server: TestServer, userId: string, messages: string[], headers: Record<string, string> = {}): Promise<string[]> {
  const answer = await server.post("/product/add", { user_id: userId, messages: messages.map((content) => ({ role: "user", content })) }, headers);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.data.map((entry: { memory_id: string }) => entry.memory_id);
}

function lookupSuite(name: string, setup: () => Promise<{ env: Record<string, string>; drop?: () => Promise<void> }>, skip: string | false = false) {
  describe(`memory lookups by id (${name})`, { skip }, () => {
    let open: TestServer;
    let keyed: TestServer;
    let drop: (() => Promise<void>)[] = [];
    let alice: string[];
    let bob: string[];
    before(async () => {
      const first = await setup();
      const second = await setup();
      drop = [first.drop, second.drop].filter((entry): entry is () => Promise<void> => entry !== undefined);
      open = await startTestServer(first.env);
      keyed = await startTestServer({ ...second.env, MEMCUBE_API_KEYS: JSON.stringify(KEYS) });
      alice = await added(open, "alice", ["Alice grows tomatoes", "Alice has a cat named Miso"]);
      bob = await added(open, "bob", ["Bob's bank PIN hint is his dog's name"]);
    });
    after(async () => {
      await open?.cleanup();
      await keyed?.cleanup();
      for (const dropSchema of drop) await dropSchema();
    });

    test("get_memory_by_ids: a bare array of ids; the memories in the order asked, each once; unknown ids left out", async () => {
      const answer = await open.post("/product/get_memory_by_ids", [alice[1], UNKNOWN, "not-a-uuid", alice[0], alice[1], bob[0]]);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.code, 200);
      assert.equal(answer.body.message, "Memories retrieved successfully");
      assert.deepEqual(
        answer.body.data.memories.map((memory: { id: string; memory: string; metadata: { memory_type: string } }) => [
          memory.id,
          memory.memory,
          typeof memory.metadata.memory_type,
        ]),
        [
          [alice[1], "Alice has a cat named Miso", "string"],
          [alice[0], "Alice grows tomatoes", "string"],
          [bob[0], "Bob's bank PIN hint is his dog's name", "string"],
        ],
      );
      assert.deepEqual((await open.post("/product/get_memory_by_ids", [])).body.data, { memories: [] });
    });

    test("get_memory_by_ids: a deleted memory is gone; a body that is not an array is a 422", async () => {
      const [doomed] = await added(open, "alice", ["A note Alice will delete"]);
      await open.post("/product/delete_memory", { user_id: "alice", writable_cube_ids: ["alice"], memory_ids: [doomed] });
      assert.deepEqual((await open.post("/product/get_memory_by_ids", [doomed])).body.data, { memories: [] });
      assert.deepEqual((await open.post("/product/get_user_names_by_memory_ids", { memory_ids: [doomed] })).body.data, { [doomed as string]: null });
      const object = await open.post("/product/get_memory_by_ids", { memory_ids: alice });
      assert.equal(object.status, 422);
      assert.equal(object.body.message, "body: expected a JSON array");
      const numbers = await open.post("/product/get_memory_by_ids", [1, 2]);
      assert.equal(numbers.status, 422);
      assert.match(numbers.body.message, /^0: /);
    });

    test("more than 1000 ids are not refused: the first 1000 are read, and x-memcube-notice says so", async () => {
      const ids = [...Array.from({ length: 1000 }, () => UNKNOWN), alice[0]];
      const answer = await open.post("/product/get_memory_by_ids", ids);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.data, { memories: [] });
      assert.equal(answer.headers.get("x-memcube-notice"), "get_memory_by_ids: 1001 ids given, only the first 1000 were read");
      assert.equal((await open.post("/product/get_memory_by_ids", [alice[0]])).headers.get("x-memcube-notice"), null);
    });

    test("get_user_names_by_memory_ids: each id → the cube holding it, null when unknown", async () => {
      const answer = await open.post("/product/get_user_names_by_memory_ids", { memory_ids: [alice[0], bob[0], UNKNOWN] });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {
        code: 200,
        message: "Successfully",
        data: { [alice[0] as string]: "alice", [bob[0] as string]: "bob", [UNKNOWN]: null },
      });
      assert.equal((await open.post("/product/get_user_names_by_memory_ids", {})).body.message, "memory_ids: field required");
    });

    test("with API keys: a user key gets only memories of cubes its user may read; the user names need an admin key", async () => {
      const mine = await added(keyed, "alice", ["Alice's own note"], as("sk-alice-0123456789abcdef"));
      const theirs = await added(keyed, "bob", ["Bob's private note"], as("sk-admin-0123456789abcdef"));
      const asAlice = await keyed.post("/product/get_memory_by_ids", [theirs[0], mine[0]], as("sk-alice-0123456789abcdef"));
      assert.deepEqual(
        asAlice.body.data.memories.map((memory: { id: string }) => memory.id),
        [mine[0]],
      );
      assert.doesNotMatch(JSON.stringify(asAlice.body), /private/);
      await keyed.post("/product/share_cube", { user_id: "bob", cube_id: "bob", target_user_id: "alice", access: "read" }, as("sk-admin-0123456789abcdef"));
      const shared = await keyed.post("/product/get_memory_by_ids", [theirs[0]], as("sk-alice-0123456789abcdef"));
      assert.deepEqual(
        shared.body.data.memories.map((memory: { id: string }) => memory.id),
        [theirs[0]],
        "a cube shared with her is readable",
      );
      const admin = await keyed.post("/product/get_memory_by_ids", [theirs[0], mine[0]], as("sk-admin-0123456789abcdef"));
      assert.equal(admin.body.data.memories.length, 2);
      assert.equal((await keyed.post("/product/get_memory_by_ids", [mine[0]])).status, 401);

      const names = await keyed.post("/product/get_user_names_by_memory_ids", { memory_ids: [theirs[0]] }, as("sk-alice-0123456789abcdef"));
      assert.equal(names.status, 403);
      assert.equal(names.body.message, "this route reveals other users: it needs an admin API key");
      const byAdmin = await keyed.post("/product/get_user_names_by_memory_ids", { memory_ids: [theirs[0]] }, as("sk-admin-0123456789abcdef"));
      assert.deepEqual(byAdmin.body.data, { [theirs[0] as string]: "bob" });
    });
  });
}

lookupSuite("SQLite", async () => ({ env: {} }));
lookupSuite(
  "PostgreSQL",
  async () => {
    const schema: TestSchema = await freshSchema("memory_lookup");
    return { env: { MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }, drop: () => schema.drop() };
  },
  POSTGRES_SKIP,
);
