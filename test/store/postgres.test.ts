/**
 * PostgreSQL-only behaviour (the shared behaviour is in contract.test.ts): migrations under
 * concurrent start-up, adopting the embedder when several processes start at once, and the HNSW
 * index with a cube filter (a small cube inside a large table).
 */
import assert from "node:assert/strict";
import pg from "pg";
import { after, before, describe, it, test } from "node:test";
import { PG_MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { WordCounts } from "../../src/store/postgres/word-counts.js";
import type { MessageRecord, NewMemory } from "../../src/store/types.js";
import { seededRandom } from "../../bench/lib/corpus.js";
import { freshSchema, POSTGRES_SKIP, querySchema, type TestSchema } from "../support/postgres.js";

const now = "2026-01-01T00:00:00.000Z";

function entry(cubeId: string, messageId: string, vector: Float32Array | null, memoryType: NewMemory["memoryType"] = "UserMemory") {
  const text = `${cubeId} ${messageId}`;
  const message: MessageRecord = { cubeId, messageId, sessionId: "s", role: "user", content: text, chatTime: now, createdAt: now };
  const memory: NewMemory = {
    id: crypto.randomUUID(),
    cubeId,
    userId: "u",
    sessionId: "s",
    text,
    memoryType,
    key: "",
    tags: [],
    confidence: 1,
    source: "conversation",
    background: "",
    info: {},
    chatTime: now,
    createdAt: now,
    updatedAt: now,
    sourceMessageIds: [messageId],
    vector,
    keywords: text,
  };
  return { message, memory };
}

describe("PostgresStore", { skip: POSTGRES_SKIP }, () => {
  let schema: TestSchema;
  before(async () => {
    schema = await freshSchema("pg");
  });
  after(() => schema?.drop());

  test("processes starting at once migrate once, under the advisory lock", async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(schema.url, { maxConnections: 2 })));
    const versions = await querySchema<{ version: number }>(schema.url, "SELECT version FROM schema_migrations ORDER BY version");
    assert.deepEqual(
      versions.map((row) => row.version),
      PG_MIGRATIONS.map((_, index) => index + 1),
    );
    // …and adopt one embedder: only the first creates the vector column; the others keep its vectors.
    await stores[0]?.resetVectors({ name: "e", dimension: 3 });
    await stores[0]?.addConversation({ userId: "u", now, entries: [entry("adopt", "m1", new Float32Array([1, 0, 0]))] });
    await Promise.all(stores.map((store) => store.resetVectors({ name: "e", dimension: 3 })));
    assert.equal((await stores[3]?.searchVectors({ cubeId: "adopt" }, new Float32Array([1, 0, 0]), 5))?.length, 1);
    await Promise.all(stores.map((store) => store.close()));
  });

  test("a schema written by a newer memcube is refused", async () => {
    const newer = await freshSchema("newer");
    try {
      await (await PostgresStore.open(newer.url)).close();
      await querySchema(newer.url, "INSERT INTO schema_migrations (version) VALUES ($1)", [PG_MIGRATIONS.length + 1]);
      await assert.rejects(PostgresStore.open(newer.url), /written by a newer memcube/);
    } finally {
      await newer.drop();
    }
  });

  test("a bad URL or password is reported without the password", async () => {
    const url = new URL(schema.url);
    url.password = "wrong-secret";
    await assert.rejects(PostgresStore.open(url.toString()), (error: Error) => {
      assert.match(error.message, /cannot connect to PostgreSQL at postgres:\/\/memcube:\*\*\*@/);
      assert.doesNotMatch(error.message, /wrong-secret/);
      return true;
    });
  });

  test("in a large cube, a query's rarer words choose the memories its common words rank", async () => {
    const texts = [
      ...Array.from({ length: 58 }, (_, index) => `coffee break number ${index}`),
      "an espresso with coffee before the meeting",
      "an espresso machine for the office",
    ];
    const entries = texts.map((text, index) => {
      const { message, memory } = entry("large", `l${index}`, null);
      return { message: { ...message, content: text }, memory: { ...memory, text, keywords: text } };
    });
    // A schema of its own: these rows would change the planner's view of the HNSW tests' table.
    const own = await freshSchema("large");
    const large = await PostgresStore.open(own.url, { largeCube: 50 });
    const small = await PostgresStore.open(own.url);
    try {
      await large.addConversation({ userId: "u", now, entries });
      const textOf = async (store: PostgresStore, ids: { id: string }[]) => (await store.getMemories(ids.map((hit) => hit.id))).map((m) => m.text);
      const hits = await large.searchKeywords({ cubeId: "large" }, ["coffee", "espresso"], 100);
      // Both memories with "espresso", the one with "coffee" too first; none held only by the common word.
      assert.deepEqual(await textOf(large, hits), ["an espresso with coffee before the meeting", "an espresso machine for the office"]);
      // A query of common words alone still finds them; below the size, every match is ranked.
      assert.equal((await large.searchKeywords({ cubeId: "large" }, ["coffee", "break"], 100)).length, 59);
      assert.equal((await small.searchKeywords({ cubeId: "large" }, ["coffee", "espresso"], 100)).length, 60);
    } finally {
      await large.close();
      await small.close();
      await own.drop();
    }
  });

  describe("HNSW with a cube filter: a small cube inside a large table", () => {
    const DIMENSION = 32;
    const random = seededRandom(11);
    const centres = Array.from({ length: 30 }, () => Array.from({ length: DIMENSION }, () => random() - 0.5));
    const near = (index: number, spread = 0.7) => {
      const vector = Float32Array.from(centres[index % centres.length] as number[], (value) => value + (random() - 0.5) * spread);
      const norm = Math.hypot(...vector);
      return vector.map((value) => value / norm);
    };
    let indexed: PostgresStore;
    let exact: PostgresStore;
    before(async () => {
      // Every scope over 40 vectors goes to the HNSW index; the other store searches exactly.
      indexed = await PostgresStore.open(schema.url, { exactSearchLimit: 40 });
      exact = await PostgresStore.open(schema.url, { exactSearchLimit: 1_000_000 });
      await indexed.resetVectors({ name: "hnsw", dimension: DIMENSION });
      for (let offset = 0; offset < 4000; offset += 1000) {
        await indexed.addConversation({
          userId: "u",
          now,
          entries: Array.from({ length: 1000 }, (_, index) => entry("crowd", `c${offset + index}`, near(offset + index))),
        });
      }
      await indexed.addConversation({
        userId: "u",
        now,
        entries: Array.from({ length: 200 }, (_, index) => entry("small", `s${index}`, near(index), index % 4 === 0 ? "LongTermMemory" : "UserMemory")),
      });
      // The planner's row estimates come from statistics, which autovacuum gathers when it gets to
      // it: gather them now, so the plan below is the one a table of this shape gets, not a guess.
      await querySchema(schema.url, "ANALYZE memories");
    });
    after(async () => {
      await indexed?.close();
      await exact?.close();
    });

    test("the HNSW index can serve a cube's nearest memories (its predicate and operator fit the query)", async () => {
      // Whether the planner prefers the index or a sort of the cube's rows depends on statistics
      // and costs; what must hold is that the index can answer the query at all. With sorting
      // switched off for this one transaction, only an index that orders by this distance fits.
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        await client.query("BEGIN");
        await client.query("SET LOCAL enable_sort = off");
        const { rows } = await client.query<{ "QUERY PLAN": string }>(
          `EXPLAIN SELECT m.id FROM memories m WHERE m.cube_id = 'small' AND m.status = 'activated' AND m.embedding IS NOT NULL
           ORDER BY m.embedding <=> $1::vector LIMIT 30`,
          [`[${Array.from(near(0)).join(",")}]`],
        );
        await client.query("ROLLBACK");
        assert.match(rows.map((row) => row["QUERY PLAN"]).join("\n"), /memories_embedding/);
      } finally {
        await client.end();
      }
    });

    test("the index finds a full page in the small cube, agreeing with exact search (recall ≥ 0.9)", async () => {
      let found = 0;
      let asked = 0;
      for (let trial = 0; trial < 30; trial += 1) {
        const query = near(trial, 0.9);
        const approximate = await indexed.searchVectors({ cubeId: "small" }, query, 10);
        const truth = await exact.searchVectors({ cubeId: "small" }, query, 10);
        assert.equal(approximate.length, 10, "never too few rows");
        const truthIds = new Set(truth.map((hit) => hit.id));
        found += approximate.filter((hit) => truthIds.has(hit.id)).length;
        asked += truth.length;
        const scores = approximate.map((hit) => hit.score);
        assert.deepEqual(
          scores,
          [...scores].sort((a, b) => b - a),
          "re-sorted nearest first",
        );
      }
      assert.ok(found / asked >= 0.9, `recall ${found / asked}`);
    });

    test("a filter inside the small cube still fills the page", async () => {
      const query = near(3, 0.9);
      const hits = await indexed.searchVectors({ cubeId: "small", memoryTypes: ["LongTermMemory"] }, query, 30);
      assert.equal(hits.length, 30, "50 long-term memories in scope, 30 asked");
      const truth = await exact.searchVectors({ cubeId: "small", memoryTypes: ["LongTermMemory"] }, query, 30);
      const overlap = hits.filter((hit) => truth.some((other) => other.id === hit.id)).length;
      assert.ok(overlap >= 25, `overlap ${overlap}/30`);
      const all = await indexed.searchVectors({ cubeId: "small", memoryTypes: ["LongTermMemory"] }, query, 100);
      assert.equal(all.length, 50, "asking for more than the scope holds returns all of it");
    });
  });
});

describe("word counts of large cubes", () => {
  it("are reused for a minute, then counted again", () => {
    let now = 0;
    const counts = new WordCounts(() => now);
    counts.set("big", "lisbon", 15_000);
    now = 59_000;
    assert.equal(counts.get("big", "lisbon"), 15_000);
    assert.equal(counts.get("other", "lisbon"), undefined, "counts belong to one cube");
    now = 61_000;
    assert.equal(counts.get("big", "lisbon"), undefined);
  });
});
