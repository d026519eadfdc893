/**
 * memcube on PostgreSQL over HTTP: the memory routes and cube rules on one server, then two
 * server processes (`node bin/memcube.mjs serve`) sharing one database, as a load balancer would
 * run them. Runs when DATABASE_URL is set; skipped (saying so) otherwise.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { extractionEnv, memories, prompts, script } from "../support/extraction.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { freshSchema, POSTGRES_SKIP, querySchema, type TestSchema } from "../support/postgres.js";
import { postJson, startServerProcess, type ServerProcess } from "../support/process.js";
import { startTestServer, tempDataDir, textHits, type TestServer } from "../support/server.js";

describe("memcube on PostgreSQL: one server", { skip: POSTGRES_SKIP }, () => {
  let schema: TestSchema;
  let server: TestServer;
  before(async () => {
    schema = await freshSchema("http");
    server = await startTestServer({ MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url });
  });
  after(async () => {
    await server?.cleanup();
    await schema?.drop();
  });

  test("add, search, get_all and delete", async () => {
    const added = await server.post("/product/add", {
      user_id: "alice",
      messages: [
        { role: "user", content: "I love hiking in the Dolomites every summer" },
        { role: "user", content: "My favourite tea is genmaicha" },
        { role: "user", content: "我喜欢在周末打羽毛球" },
      ],
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const search = await server.post("/product/search", { user_id: "alice", query: "What do I like to do outdoors in the mountains?" });
    assert.equal(search.status, 200);
    assert.equal(textHits(search.body)[0], "I love hiking in the Dolomites every summer");
    // Its neighbours in the conversation join below it (the turn before at 40 %), so the cut at 0.5 shows it alone.
    const chinese = await server.post("/product/search", { user_id: "alice", query: "羽毛球", relativity: 0.5 });
    assert.deepEqual(textHits(chinese.body), ["我喜欢在周末打羽毛球"], "keywords over jieba's words");
    const all = await server.post("/product/get_all", { user_id: "alice" });
    assert.equal(all.body.data[0].memories[0].nodes.length, 3);

    const teaId = added.body.data.find((memory: { memory: string }) => memory.memory.includes("genmaicha")).memory_id;
    const deleted = await server.post("/product/delete_memory", { user_id: "alice", memory_ids: [teaId] });
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    const after = await server.post("/product/search", { user_id: "alice", query: "genmaicha tea" });
    assert.ok(!textHits(after.body).some((text) => text.includes("genmaicha")));
    assert.equal((await server.get(`/product/get_memory/${teaId}?user_id=alice`)).body.data, null);
  });

  test("cube rules: other people's cubes are 403, shares open them, unknown cubes read as empty", async () => {
    await server.post("/product/add", { user_id: "carol", messages: "Carol's secret recipe uses cardamom" });
    const peek = await server.post("/product/search", { user_id: "mallory", query: "recipe", readable_cube_ids: ["carol"] });
    assert.equal(peek.status, 403);
    const write = await server.post("/product/add", { user_id: "mallory", messages: "overwrite", writable_cube_ids: ["carol"] });
    assert.equal(write.status, 403);
    const ghost = await server.post("/product/search", { user_id: "mallory", query: "x", readable_cube_ids: ["ghost"] });
    assert.deepEqual([ghost.status, ghost.body.data.text_mem[0].memories], [200, []]);
    const shared = await server.post("/product/share_cube", { user_id: "carol", cube_id: "carol", target_user_id: "mallory", access: "read" });
    assert.equal(shared.status, 200, JSON.stringify(shared.body));
    const read = await server.post("/product/search", { user_id: "mallory", query: "cardamom recipe", readable_cube_ids: ["carol"] });
    assert.equal(read.status, 200);
    assert.deepEqual(textHits(read.body), ["Carol's secret recipe uses cardamom"]);
    assert.equal((await server.post("/product/add", { user_id: "mallory", messages: "still no", writable_cube_ids: ["carol"] })).status, 403);
  });
});

describe("memcube on PostgreSQL: two servers, one database", { skip: POSTGRES_SKIP }, () => {
  let schema: TestSchema;
  let llm: FakeOpenAI;
  let one: ServerProcess;
  let two: ServerProcess;
  const dataDirs = [tempDataDir(), tempDataDir()];
  before(async () => {
    schema = await freshSchema("two");
    llm = await startFakeOpenAI();
    const env = (dataDir: string) => ({
      ...extractionEnv(llm),
      MEMCUBE_STORE: "postgres",
      DATABASE_URL: schema.url,
      MEMCUBE_DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
    });
    // Started at once: both migrate the empty schema and adopt the embedder, under advisory locks.
    [one, two] = await Promise.all([startServerProcess(env(dataDirs[0] as string)), startServerProcess(env(dataDirs[1] as string))]);
  });
  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await llm?.close();
    await schema?.drop();
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  });

  const hits = async (server: ServerProcess, body: Record<string, unknown>) => {
    const response = await postJson(`${server.url}/product/search`, body);
    assert.equal(response.status, 200, JSON.stringify(response.json));
    return textHits(response.json as Parameters<typeof textHits>[0]);
  };

  test("a memory added through one server is found through the other", async () => {
    const added = await postJson(`${one.url}/product/add`, { user_id: "dana", messages: "I am learning to play the cello", mode: "fast" });
    assert.equal(added.status, 200, JSON.stringify(added.json));
    assert.deepEqual(await hits(two, { user_id: "dana", query: "Which instrument am I learning?" }), ["I am learning to play the cello"]);
  });

  test("each job runs exactly once, whichever server claims it", async () => {
    script(llm, { delayMs: 50, extract: (prompt) => memories({ memory: `Fact from: ${/hobby number \d+/.exec(prompt.user)?.[0] ?? "?"}`, sources: [1] }) });
    const users = Array.from({ length: 6 }, (_, index) => `runner-${index}`);
    // Alternate servers, so that both have queued work and both run job loops.
    await Promise.all(
      users.map(async (userId, index) => {
        const added = await postJson(`${(index % 2 === 0 ? one : two).url}/product/add`, {
          user_id: userId,
          messages: `My hobby number ${index} is whittling`,
        });
        assert.equal(added.status, 200, JSON.stringify(added.json));
      }),
    );
    for (const userId of users) {
      const waited = await postJson(`${two.url}/product/scheduler/wait?user_name=${userId}&timeout_seconds=20&poll_interval=0.05`, {});
      assert.equal((waited.json as { message: string }).message, "idle");
    }
    const extractions = prompts(llm, "extract");
    for (let index = 0; index < users.length; index += 1) {
      const asked = extractions.filter((prompt) => prompt.user.includes(`hobby number ${index} `)).length;
      assert.equal(asked, 1, `the job of ${users[index]} reached the model once`);
    }
    const jobs = await querySchema<{ status: string; attempts: number; n: number }>(
      schema.url,
      "SELECT status, attempts, count(*)::int AS n FROM jobs WHERE user_id LIKE 'runner-%' GROUP BY status, attempts",
    );
    assert.deepEqual(jobs, [{ status: "done", attempts: 1, n: 6 }]);
    assert.deepEqual(await hits(one, { user_id: "runner-3", query: "whittling hobby" }), ["Fact from: hobby number 3"]);
  });

  test("a cube's access rules hold on both servers", async () => {
    const added = await postJson(`${one.url}/product/add`, { user_id: "erin", messages: "Erin's locker code is in the blue notebook", mode: "fast" });
    assert.equal(added.status, 200);
    const search = { user_id: "frank", query: "locker code notebook", readable_cube_ids: ["erin"] };
    for (const server of [one, two]) assert.equal((await postJson(`${server.url}/product/search`, search)).status, 403);
    const shared = await postJson(`${two.url}/product/share_cube`, { user_id: "erin", cube_id: "erin", target_user_id: "frank", access: "read" });
    assert.equal(shared.status, 200, JSON.stringify(shared.json));
    for (const server of [one, two]) assert.deepEqual(await hits(server, search), ["Erin's locker code is in the blue notebook"]);
    const write = { user_id: "frank", messages: "sneaky", writable_cube_ids: ["erin"], mode: "fast" };
    for (const server of [one, two]) assert.equal((await postJson(`${server.url}/product/add`, write)).status, 403);
    const revoked = await postJson(`${one.url}/product/share_cube`, { user_id: "erin", cube_id: "erin", target_user_id: "frank", access: "none" });
    assert.equal(revoked.status, 200);
    for (const server of [one, two]) assert.equal((await postJson(`${server.url}/product/search`, search)).status, 403);
  });
});
