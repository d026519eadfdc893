/**
 * register_cube (MemOS's route, issue 17) and list_cubes (memcube's own: the acting user's cubes,
 * own and shared, with access and counts), on both stores.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { freshSchema, POSTGRES_SKIP, type TestSchema } from "../support/postgres.js";
import { startTestServer, tempDataDir, type TestServer } from "../support/server.js";

const REGISTERED = "Cube registration request validated (full registration pending architecture support)";

function cubeRegistrySuite(name: string, setup: () => Promise<{ env: Record<string, string>; drop?: () => Promise<void> }>, skip: string | false = false) {
  describe(`register_cube and list_cubes (${name})`, { skip }, () => {
    let server: TestServer;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      const { env, drop: dropStore } = await setup();
      drop = dropStore;
      server = await startTestServer(env);
    });
    after(async () => {
      await server?.cleanup();
      await drop?.();
    });

    const cubes = async (userId: string) => (await server.post("/product/list_cubes", { user_id: userId })).body.data as Record<string, unknown>[];

    test("register_cube records the cube for its user; the path is a label, never read from disk", async () => {
      const file = path.join(tempDataDir(), "cube-on-disk.json");
      writeFileSync(file, JSON.stringify({ memories: ["FILE CONTENT that must never be read"] }));
      const registered = await server.post("/product/register_cube", { mem_cube_name_or_path: file, mem_cube_id: "alice-travel", user_id: "alice" });
      assert.equal(registered.status, 200);
      assert.deepEqual(registered.body, { code: 200, message: REGISTERED, data: { cube_id: "alice-travel", cube_name_or_path: file } });
      const listed = await cubes("alice");
      assert.deepEqual(
        listed.map(({ created_at: _created, ...cube }) => cube),
        [{ cube_id: "alice-travel", cube_name: file, owner_id: "alice", access: "owner", memory_count: 0 }],
      );
      assert.doesNotMatch(JSON.stringify(listed), /FILE CONTENT/);
      // Recorded: it is alice's, so another user may not write it, and registering it again changes nothing.
      assert.equal((await server.post("/product/add", { user_id: "bob", writable_cube_ids: ["alice-travel"], messages: "hi" })).status, 403);
      assert.equal(
        (await server.post("/product/register_cube", { mem_cube_name_or_path: "again", mem_cube_id: "alice-travel", user_id: "alice" })).status,
        200,
      );
      assert.equal((await cubes("alice"))[0]?.cube_name, file);
      const taken = await server.post("/product/register_cube", { mem_cube_name_or_path: "mine", mem_cube_id: "alice-travel", user_id: "bob" });
      assert.equal(taken.status, 403);
      assert.equal(taken.body.message, "user 'bob' may not manage cube 'alice-travel'");
    });

    test("register_cube without an id uses the name (a new cube without a user is its own default owner's); a path with no id is a 422 naming mem_cube_id", async () => {
      const unnamed = await server.post("/product/register_cube", { mem_cube_name_or_path: "auto-id-registered-cube" });
      assert.deepEqual(unnamed.body.data, { cube_id: "auto-id-registered-cube", cube_name_or_path: "auto-id-registered-cube" });
      assert.equal((await cubes("auto-id-registered-cube"))[0]?.owner_id, "auto-id-registered-cube");
      const pathOnly = await server.post("/product/register_cube", { mem_cube_name_or_path: "/srv/cubes/travel" });
      assert.equal(pathOnly.status, 422);
      assert.match(pathOnly.body.message, /^mem_cube_id: required when mem_cube_name_or_path is not a cube id/);
      const missing = await server.post("/product/register_cube", { mem_cube_id: "test-id" });
      assert.equal(missing.status, 422);
      assert.equal(missing.body.message, "mem_cube_name_or_path: field required");
      assert.deepEqual(await cubes("test-id"), [], "nothing was created");
    });

    test("list_cubes: own and shared cubes with access and active memory counts; others' cubes are not listed", async () => {
      await server.post("/product/add", {
        user_id: "carol",
        messages: [
          { role: "user", content: "I keep bees" },
          { role: "user", content: "I live in Ghent" },
        ],
      });
      await server.post("/product/create_cube", { owner_id: "carol", cube_id: "carol-work", cube_name: "Work" });
      await server.post("/product/add", { user_id: "dave", messages: "Dave's own note" });
      await server.post("/product/add", { user_id: "erin", messages: "Erin's secret" });
      await server.post("/product/share_cube", { user_id: "dave", cube_id: "dave", target_user_id: "carol", access: "write" });
      const listed = await cubes("carol");
      assert.deepEqual(
        listed.map((cube) => [cube.cube_id, cube.cube_name, cube.owner_id, cube.access, cube.memory_count]),
        [
          ["carol", "carol", "carol", "owner", 2],
          ["carol-work", "Work", "carol", "owner", 0],
          ["dave", "dave", "dave", "write", 1],
        ],
      );
      assert.ok(listed.every((cube) => typeof cube.created_at === "string"));
      assert.deepEqual(await cubes("nobody"), []);
      const answer = await server.post("/product/list_cubes", { user_id: "carol" });
      assert.equal(answer.body.message, "Cubes listed successfully");
      assert.equal((await server.post("/product/list_cubes", {})).body.message, "user_id: field required");
    });
  });
}

cubeRegistrySuite("SQLite", async () => ({ env: {} }));
let schema: TestSchema | undefined;
cubeRegistrySuite(
  "PostgreSQL",
  async () => {
    schema = await freshSchema("cube_registry");
    return { env: { MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }, drop: () => schema?.drop() ?? Promise.resolve() };
  },
  POSTGRES_SKIP,
);

describe("register_cube and list_cubes with API keys", () => {
  const KEYS = { "sk-frank-0123456789abcdef": "frank", "sk-admin-0123456789abcdef": "*" };
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) });
  });
  after(() => server.cleanup());

  test("the key decides the owner when user_id is left out; naming another user is a 403", async () => {
    const mine = await server.post("/product/register_cube", { mem_cube_name_or_path: "frank-notes" }, as("sk-frank-0123456789abcdef"));
    assert.equal(mine.status, 200);
    const listed = await server.post("/product/list_cubes", { user_id: "frank" }, as("sk-frank-0123456789abcdef"));
    assert.deepEqual(
      listed.body.data.map((cube: { cube_id: string; access: string }) => [cube.cube_id, cube.access]),
      [
        ["frank", "owner"],
        ["frank-notes", "owner"],
      ],
    );
    const other = await server.post(
      "/product/register_cube",
      { mem_cube_name_or_path: "x", mem_cube_id: "grace-x", user_id: "grace" },
      as("sk-frank-0123456789abcdef"),
    );
    assert.equal(other.status, 403);
    assert.equal(other.body.message, "this API key may not act as user 'grace'");
    assert.equal((await server.post("/product/list_cubes", { user_id: "grace" }, as("sk-frank-0123456789abcdef"))).status, 403);
    assert.equal((await server.post("/product/list_cubes", { user_id: "grace" }, as("sk-admin-0123456789abcdef"))).status, 200);
  });
});
