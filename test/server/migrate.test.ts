/**
 * `memcube migrate --from sqlite:<file> --to postgres:<url>`: a store written by a SQLite server is
 * copied into PostgreSQL, where a server finds the same memories; an interrupted copy is resumed.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { freshSchema, POSTGRES_SKIP, querySchema, type TestSchema } from "../support/postgres.js";
import { startTestServer, tempDataDir, textHits, type TestServer } from "../support/server.js";

function migrate(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/memcube.mjs", "migrate", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("exit", (code) => resolve({ code, stderr }));
  });
}

const counts = async (url: string) =>
  (
    await querySchema<{ memories: number; messages: number; sources: number; history: number; vectors: number; access: number }>(
      url,
      `SELECT (SELECT count(*)::int FROM memories) AS memories, (SELECT count(*)::int FROM messages) AS messages,
         (SELECT count(*)::int FROM memory_sources) AS sources, (SELECT count(*)::int FROM memory_history) AS history,
         (SELECT count(*)::int FROM memories WHERE embedding IS NOT NULL) AS vectors, (SELECT count(*)::int FROM cube_access) AS access`,
    )
  )[0];

describe("memcube migrate", { skip: POSTGRES_SKIP }, () => {
  const dataDir = tempDataDir();
  const file = path.join(dataDir, "memcube.db");
  let schema: TestSchema;
  let supersededId = "";
  let successorId = "";
  before(async () => {
    schema = await freshSchema("migrate");
    const server = await startTestServer({}, dataDir);
    const messages = Array.from({ length: 1200 }, (_, index) => ({
      role: "user",
      content: `Note ${index}: the meeting room ${index} has a projector`,
      message_id: `n${index}`,
    }));
    for (let offset = 0; offset < messages.length; offset += 400) {
      assert.equal(
        (await server.post("/product/add", { user_id: "gina", messages: messages.slice(offset, offset + 400), custom_tags: ["notes"] })).status,
        200,
      );
    }
    await server.post("/product/add", { user_id: "gina", messages: "I adopted a tabby cat called Miso", writable_cube_ids: ["gina-home"] });
    await server.post("/product/add", { user_id: "hal", messages: "我住在杭州" });
    await server.post("/product/share_cube", { user_id: "gina", cube_id: "gina-home", target_user_id: "hal", access: "read" });
    // A soft delete waiting for its recovery is copied as it is.
    await server.post("/product/add", { user_id: "hal", messages: "My locker code is 4471", writable_cube_ids: ["hal-aside"] });
    await server.post("/product/delete_memory_by_record_id", { user_id: "hal", mem_cube_id: "hal-aside", record_id: "rec-migrate" });
    await server.stop();
    // A version history, as a refinement leaves it.
    const store = new SqliteStore(file);
    const [cat] = (await store.listMemories({ cubeId: "gina-home" })).memories;
    const { jobs } = await store.addConversation({
      userId: "gina",
      now: new Date().toISOString(),
      entries: [
        {
          message: {
            cubeId: "gina-home",
            messageId: "m-fix",
            sessionId: "s",
            role: "user",
            content: "Miso is a ginger cat",
            chatTime: new Date().toISOString(),
            createdAt: new Date().toISOString(),
          },
          memory: {
            id: crypto.randomUUID(),
            cubeId: "gina-home",
            userId: "gina",
            sessionId: "s",
            text: "Miso is a ginger cat",
            memoryType: "UserMemory",
            key: "",
            tags: [],
            confidence: 1,
            source: "conversation",
            background: "",
            info: {},
            chatTime: new Date().toISOString(),
            createdAt: new Date().toISOString(),
            updatedAt: new Date().toISOString(),
            sourceMessageIds: ["m-fix"],
            vector: null,
            keywords: "miso is a ginger cat",
          },
        },
      ],
      jobs: [
        {
          taskId: crypto.randomUUID(),
          kind: "test",
          cubeId: "gina-home",
          userId: "gina",
          messageIds: ["m-fix"],
          payload: {},
          runAfter: new Date(0).toISOString(),
        },
      ],
    });
    const claimed = await store.claimJob({
      kinds: ["test"],
      workerId: "w",
      now: new Date().toISOString(),
      leaseUntil: new Date(Date.now() + 60_000).toISOString(),
      taskId: jobs[0]?.taskId,
    });
    successorId = crypto.randomUUID();
    supersededId = cat?.id ?? "";
    await store.commitRefinement({
      claim: { jobId: claimed?.id ?? 0, workerId: "w" },
      cubeId: "gina-home",
      now: new Date().toISOString(),
      derived: [
        {
          memory: {
            id: successorId,
            cubeId: "gina-home",
            userId: "gina",
            sessionId: "s",
            text: "The user has a ginger cat called Miso",
            memoryType: "UserMemory",
            key: "pet",
            tags: ["pets"],
            confidence: 0.9,
            source: "conversation",
            background: "",
            info: {},
            chatTime: new Date().toISOString(),
            createdAt: new Date().toISOString(),
            updatedAt: new Date().toISOString(),
            sourceMessageIds: ["m-fix"],
            vector: null,
            keywords: "the user has a ginger cat called miso pet pets",
          },
          supersedes: { memoryId: supersededId, reason: "corrected" },
        },
      ],
      retire: [],
      result: {},
    });
    await store.addChatTokens("gina", "2026-11-25", 1234); // a day's chat token count (MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY)
    await store.close();
  });
  after(async () => {
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("copies everything with a progress bar and verifies the counts", async () => {
    const run = await migrate("--from", `sqlite:${file}`, "--to", `postgres:${schema.url}`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /memories\s+\[#{30}\]\s+1205\/1205 100%/);
    assert.match(run.stderr, /verified: every table's rows are in the target \(vectors by local:use-lite-en, 512 dimensions\)/);
    assert.doesNotMatch(run.stderr, /memcube:memcube@/, "the password is not printed");
    assert.deepEqual(await counts(schema.url), { memories: 1205, messages: 1204, sources: 1205, history: 2, vectors: 1202, access: 1 });
    assert.deepEqual(await querySchema(schema.url, "SELECT user_id, day, tokens::int AS tokens FROM chat_token_usage"), [
      { user_id: "gina", day: "2026-11-25", tokens: 1234 },
    ]);
  });

  test("an interrupted copy is resumed: rows already there are skipped, missing ones copied", async () => {
    await querySchema(schema.url, "DELETE FROM memories WHERE seq > (SELECT max(seq) - 500 FROM memories)");
    await querySchema(schema.url, "DELETE FROM messages WHERE seq > (SELECT max(seq) - 300 FROM messages)");
    const run = await migrate("--from", `sqlite:${file}`, "--to", `postgres:${schema.url}`);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await counts(schema.url), { memories: 1205, messages: 1204, sources: 1205, history: 2, vectors: 1202, access: 1 });
  });

  test("a server on PostgreSQL serves the copied store", async () => {
    const server = await startTestServer({ MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url });
    try {
      const hits = await server.post("/product/search", { user_id: "gina", query: "Which room has a projector? meeting room 417", top_k: 3 });
      assert.ok(textHits(hits.body).includes("Note 417: the meeting room 417 has a projector"), JSON.stringify(textHits(hits.body)));
      const shared = await server.post("/product/search", { user_id: "hal", query: "ginger cat", readable_cube_ids: ["gina-home"] });
      assert.ok(textHits(shared.body).includes("The user has a ginger cat called Miso"), JSON.stringify(shared.body));
      assert.ok(!textHits(shared.body).includes("I adopted a tabby cat called Miso"), "the superseded version stays archived");
      assert.equal((await server.post("/product/add", { user_id: "hal", messages: "x", writable_cube_ids: ["gina-home"] })).status, 403);
      const chinese = await server.post("/product/search", { user_id: "hal", query: "杭州" });
      assert.deepEqual(textHits(chinese.body), ["我住在杭州"]);
    } finally {
      await server.cleanup();
    }
    const store = await PostgresStore.open(schema.url);
    try {
      const history = await store.memoryHistory(successorId);
      assert.deepEqual(
        history.map((version) => [version.text, version.reason]),
        [["I adopted a tabby cat called Miso", "corrected"]],
      );
      assert.equal((await store.getMemory(supersededId))?.status, "archived");
      const [aside] = await store.softDeletedMemories({ cubeId: "hal-aside", limit: 10 });
      assert.equal(aside?.recordId, "rec-migrate", "the soft delete is copied with its record id");
      assert.equal(await store.recoverMemories("hal-aside", "rec-migrate"), 1);
      assert.deepEqual(
        (await store.listMemories({ cubeId: "hal-aside" })).memories.map((memory) => memory.text),
        ["My locker code is 4471"],
      );
      // Tags are copied once per cube and list, and every memory reads its own back.
      assert.deepEqual((await store.getMemory(successorId))?.tags, ["pets"]);
      const [note] = (await store.listMemories({ cubeId: "gina-home", filter: { field: "tags", op: "contains", value: "pets" } })).memories;
      assert.equal(note?.id, successorId);
      const sets = await querySchema<{ tags: string[]; memories: number }>(
        schema.url,
        "SELECT s.tags, (SELECT count(*) FROM memories m WHERE m.tag_set_id = s.id)::int AS memories FROM memory_tag_sets s ORDER BY s.tags::text",
      );
      assert.deepEqual(sets, [
        { tags: ["notes"], memories: 1200 },
        { tags: ["pets"], memories: 1 },
      ]);
    } finally {
      await store.close();
    }
  });

  test("bad arguments are refused with the usage", async () => {
    const run = await migrate("--from", file, "--to", "postgres:mysql://x");
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--from must be sqlite:<file>/);
  });
});

describe("memcube migrate: the same searches find the same memories", { skip: POSTGRES_SKIP }, () => {
  const dataDir = tempDataDir();
  const file = path.join(dataDir, "memcube.db");
  let schema: TestSchema;
  const notes = [
    "I was running along the river every morning before work",
    "My sister moved to Lisbon last spring",
    "I am allergic to peanuts and shellfish",
    "Our team ships the quarterly report on Fridays",
    "The car needs new tyres before the winter",
    "I keep my passport in the blue folder in the desk",
    "My favourite tea is genmaicha",
    "The dentist appointment is on the third of March",
    "我喜欢在周末打羽毛球",
    "我住在杭州，离西湖很近",
    "我的女儿在学钢琴",
    // Memories without a vector (the English encoder does not represent Chinese): only the keyword
    // index finds them, by a stem ("runs" → run) and by the mark of a constraint statement.
    "我每天早上六点在西湖边 running",
    "我坐船总是晕船",
  ];
  // Stemmed forms (runs → running, moving → moved), a plain word, advice queries (they recall
  // constraint statements), Chinese words, and a sentence.
  const queries = [
    "runs",
    "moving",
    "passport",
    "What snack should I buy for the road trip?",
    "羽毛球",
    "西湖",
    "钢琴课",
    "When do we ship the report?",
    "周末出游有什么推荐？",
    // Words of a file's name and headings: the keyword index holds them for each of its chunks, so
    // they weigh in the query's word weights (a file's chunk is indexed by name, headings and text).
    "lobby tiles handbook",
    "宾馆 设备维护",
  ];
  const handbook = "# Tessellations\n\n## 设备维护\n\nThe tiles in the lobby are replaced every spring by the facilities team. 宾馆\n";

  /** Per query: the memories a search returns, in order, with their relativity. */
  async function searches(server: TestServer): Promise<Record<string, string[]>> {
    const answers: Record<string, string[]> = {};
    for (const query of queries) {
      const found = await server.post("/product/search", { user_id: "ivy", query, top_k: 3 });
      assert.equal(found.status, 200, JSON.stringify(found.body));
      const memories = found.body.data.text_mem[0].memories as { memory: string; metadata: { relativity: number } }[];
      answers[query] = memories.map((memory) => `${memory.memory} (${memory.metadata.relativity.toFixed(2)})`);
    }
    return answers;
  }

  before(async () => {
    schema = await freshSchema("migrate_search");
  });
  after(async () => {
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("search answers on PostgreSQL after the copy are those on SQLite before it", async () => {
    const sqlite = await startTestServer({}, dataDir);
    let before: Record<string, string[]>;
    try {
      const added = await sqlite.post("/product/add", { user_id: "ivy", messages: notes.map((content) => ({ role: "user", content })) });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      const part = { filename: "quokkaville-handbook.md", file_data: Buffer.from(handbook).toString("base64") };
      const filed = await sqlite.post("/product/add", {
        user_id: "ivy",
        async_mode: "sync",
        messages: [{ role: "user", content: [{ type: "file", file: part }] }],
      });
      assert.equal(filed.status, 200, JSON.stringify(filed.body));
      before = await searches(sqlite);
    } finally {
      await sqlite.stop();
    }
    // What only the keyword index finds is among the answers, so that the comparison covers it.
    assert.ok(
      before["runs"]?.some((hit) => hit.startsWith("我每天早上六点在西湖边 running")),
      JSON.stringify(before),
    );
    // A Chinese query has no vector with the bundled encoder: its answers come from the keyword index alone.
    assert.ok(
      before["西湖"]?.some((hit) => hit.startsWith("我住在杭州，离西湖很近")),
      JSON.stringify(before),
    );
    // The file's chunk is among the answers to the queries that name the file's words.
    for (const query of ["lobby tiles handbook", "宾馆 设备维护"]) {
      assert.ok(
        before[query]?.some((hit) => hit.startsWith("The tiles in the lobby")),
        `${query}: ${JSON.stringify(before)}`,
      );
    }
    const run = await migrate("--from", `sqlite:${file}`, "--to", `postgres:${schema.url}`);
    assert.equal(run.code, 0, run.stderr);
    const postgres = await startTestServer({ MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url });
    try {
      assert.deepEqual(await searches(postgres), before);
    } finally {
      await postgres.cleanup();
    }
  });
});
