/**
 * The store contract: the same tests against every Store implementation. SQLite always runs;
 * PostgreSQL runs when DATABASE_URL is set, and is reported as skipped (with the reason) otherwise.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { CubeWriteRefused, JobLeaseLost, type Store } from "../../src/store/store.js";
import type { MemoryFilter, MessageRecord, NewJob, NewMemory } from "../../src/store/types.js";
import { seededRandom } from "../../bench/lib/corpus.js";
import { freshSchema, POSTGRES_SKIP } from "../support/postgres.js";
import { tempDataDir } from "../support/server.js";

/** A place for one store's data: every `open` is another connection to it (as another process would have). */
interface Place {
  open(): Promise<Store>;
  remove(): Promise<void>;
}

interface Backend {
  name: string;
  skip: string | false;
  place(): Promise<Place>;
}

const BACKENDS: Backend[] = [
  {
    name: "sqlite",
    skip: false,
    place: async () => {
      const dataDir = tempDataDir();
      return {
        open: async () => new SqliteStore(path.join(dataDir, "memcube.db")),
        remove: async () => rmSync(dataDir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: "postgres",
    skip: POSTGRES_SKIP,
    place: async () => {
      const schema = await freshSchema("contract");
      return { open: () => PostgresStore.open(schema.url, { maxConnections: 4 }), remove: schema.drop };
    },
  },
];

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const now = at(0);

interface EntryOptions {
  vector?: number[] | Float32Array | null;
  userId?: string;
  sessionId?: string;
  memoryType?: NewMemory["memoryType"];
  tags?: string[];
  info?: Record<string, unknown>;
  time?: string;
  key?: string;
}

function entry(cubeId: string, messageId: string, text: string, options: EntryOptions = {}) {
  const time = options.time ?? now;
  const sessionId = options.sessionId ?? "s";
  const message: MessageRecord = { cubeId, messageId, sessionId, role: "user", content: text, chatTime: time, createdAt: time };
  const vector = options.vector ? Float32Array.from(options.vector) : null;
  const memory: NewMemory = {
    id: crypto.randomUUID(),
    cubeId,
    userId: options.userId ?? "u",
    sessionId,
    text,
    memoryType: options.memoryType ?? "UserMemory",
    key: options.key ?? "",
    tags: options.tags ?? [],
    confidence: 1,
    source: "conversation",
    background: "",
    info: options.info ?? {},
    chatTime: time,
    createdAt: time,
    updatedAt: time,
    sourceMessageIds: [messageId],
    vector,
    keywords: text.toLowerCase(),
  };
  return { message, memory };
}

function job(kind: string, cubeId: string, messageIds: string[], runAfter = at(0)): NewJob {
  return { taskId: crypto.randomUUID(), kind, cubeId, userId: "u", messageIds, payload: { sessionId: "s" }, runAfter };
}

const claimAt = (kind: string, store: Store, second: number, workerId: string, taskId?: string) =>
  store.claimJob({ kinds: [kind], workerId, now: at(second), leaseUntil: at(second + 10), ...(taskId && { taskId }) });

const ids = (hits: { id: string }[]) => hits.map((hit) => hit.id);

/** Clustered unit vectors, like sentence embeddings. */
function vectors(count: number, dimension: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const centres = Array.from({ length: 20 }, () => Array.from({ length: dimension }, () => random() - 0.5));
  return Array.from({ length: count }, (_, index) => {
    const centre = centres[index % centres.length] as number[];
    const vector = Float32Array.from(centre, (value) => value + (random() - 0.5) * 0.8);
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  });
}

for (const backend of BACKENDS) {
  describe(`store contract: ${backend.name}`, { skip: backend.skip }, () => {
    let place: Place;
    let store: Store;
    before(async () => {
      place = await backend.place();
      store = await place.open();
      await store.resetVectors({ name: "test", dimension: 3 });
    });
    after(async () => {
      await store?.close();
      await place?.remove();
    });

    test("cubesOf: the cubes a user owns or was given, by id, with access and active memories", async () => {
      await store.createCube({ id: "co-own-b", name: "Notes", ownerId: "co-user", createdAt: now });
      await store.addConversation({
        userId: "co-user",
        now,
        entries: [entry("co-own-a", "m1", "one", { userId: "co-user" }), entry("co-own-a", "m2", "two", { userId: "co-user" })],
      });
      await store.createCube({ id: "co-theirs", name: "Theirs", ownerId: "co-other", createdAt: now });
      await store.createCube({ id: "co-hidden", name: "Hidden", ownerId: "co-other", createdAt: now });
      await store.shareCube("co-theirs", "co-user", "read");
      const listed = await store.cubesOf("co-user");
      assert.deepEqual(
        listed.map(({ cube, access, memories }) => [cube.id, cube.ownerId, access, memories]),
        [
          ["co-own-a", "co-user", "owner", 2],
          ["co-own-b", "co-user", "owner", 0],
          ["co-theirs", "co-other", "read", 0],
        ],
      );
      assert.equal(listed[1]?.cube.name, "Notes");
      assert.deepEqual(await store.cubesOf("co-nobody"), []);
    });

    test("countJobs: jobs by user, cube, kind and state; one user's or everyone's", async () => {
      const mine = (cubeId: string, messageId: string, userId: string): NewJob => ({ ...job("cj", cubeId, [messageId]), userId });
      await store.addConversation({
        userId: "cj-a",
        now,
        entries: [entry("cj-1", "m1", "x"), entry("cj-1", "m2", "y")],
        jobs: [mine("cj-1", "m1", "cj-a"), mine("cj-1", "m2", "cj-a")],
      });
      await store.addConversation({ userId: "cj-b", now, entries: [entry("cj-2", "m1", "z")], jobs: [mine("cj-2", "m1", "cj-b")] });
      const claimed = await store.claimJob({ kinds: ["cj"], workerId: "w", now: at(1), leaseUntil: at(60) });
      assert.equal(claimed?.userId, "cj-a");
      assert.deepEqual(await store.countJobs("cj-a"), [
        { userId: "cj-a", cubeId: "cj-1", kind: "cj", status: "queued", count: 1 },
        { userId: "cj-a", cubeId: "cj-1", kind: "cj", status: "running", count: 1 },
      ]);
      const everyone = (await store.countJobs()).filter((row) => row.kind === "cj");
      assert.deepEqual(
        everyone.map((row) => [row.userId, row.status, row.count]),
        [
          ["cj-a", "queued", 1],
          ["cj-a", "running", 1],
          ["cj-b", "queued", 1],
        ],
      );
      assert.deepEqual(await store.countJobs("cj-nobody"), []);
    });

    test("a batch's request-level info is stored once per cube, counted in cubeUsage, and read back on every memory", async () => {
      // A key named __proto__ is data (JSON.parse makes it an own property) and must round-trip.
      const info = JSON.parse(`{"__proto__": {"x": 1}, "big": "${"i".repeat(10_000)}", "n": 2}`) as Record<string, unknown>;
      const infoBytes = Buffer.byteLength(JSON.stringify(info));
      const texts = Array.from({ length: 20 }, (_, index) => `note ${index}`);
      const entries = ["info-a", "info-b"].flatMap((cubeId) => texts.map((text, index) => entry(cubeId, `m${index}`, text, { info, tags: ["tg"] })));
      await store.addConversation({ userId: "u", now, entries });
      const textBytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      for (const cubeId of ["info-a", "info-b"]) {
        // Messages and memory texts, and the tags and the info once each.
        assert.deepEqual(await store.cubeUsage(cubeId), { memories: 20, bytes: 2 * textBytes + 2 + infoBytes });
      }
      const { memories } = await store.listMemories({ cubeId: "info-a" }, { offset: 0, limit: 100 });
      assert.equal(memories.length, 20);
      for (const memory of memories) {
        assert.deepEqual(memory.info, info, "info as written");
        assert.ok(Object.hasOwn(memory.info, "__proto__"));
      }
      assert.deepEqual((await store.getMemory(memories[0]?.id ?? ""))?.info.n, 2);
      assert.deepEqual(ids(await store.searchKeywords({ cubeId: "info-a", filter: { field: "info.n", op: "eq", value: 2 } }, ["note"], 100)).length, 20);
      // The same info in a later batch is not stored again; without info nothing is stored for it.
      await store.addConversation({ userId: "u", now, entries: [entry("info-a", "later", "later", { info: { ...info } }), entry("info-a", "bare", "bare")] });
      assert.equal((await store.cubeUsage("info-a")).bytes, 2 * textBytes + 2 + infoBytes + 2 * 5 + 2 * 4);
      assert.deepEqual((await store.memoriesFromMessages("info-a", ["bare"]))[0]?.info, {});
      // Deleting every memory that cites the info frees it.
      const all = await store.memoryIds({ cubeId: "info-a" });
      assert.equal(await store.deleteMemories("info-a", all), 22);
      assert.deepEqual(await store.cubeUsage("info-a"), { memories: 0, bytes: 0 });
      assert.equal((await store.cubeUsage("info-b")).bytes, 2 * textBytes + 2 + infoBytes, "the other cube keeps its copy");
      await store.deleteCube("info-b");
      assert.deepEqual(await store.cubeUsage("info-b"), { memories: 0, bytes: 0 }, "a deleted cube takes its infos with it");
    });

    test("a batch's tags are stored once per cube and list, counted once in cubeUsage, read back in order and filtered on", async () => {
      const tags = Array.from({ length: 64 }, (_, index) => `${String(index).padStart(2, "0")}-${"t".repeat(100)}`);
      const tagBytes = tags.reduce((sum, tag) => sum + Buffer.byteLength(tag), 0);
      const texts = Array.from({ length: 30 }, (_, index) => `tagged ${index}`);
      const textBytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      // One array for the batch, as an add hands it over; the other cube's memories get equal copies.
      const entries = [
        ...texts.map((text, index) => entry("tags-a", `t${index}`, text, { tags })),
        ...texts.map((text, index) => entry("tags-b", `t${index}`, text, { tags: [...tags] })),
      ];
      await store.addConversation({ userId: "u", now, entries });
      for (const cubeId of ["tags-a", "tags-b"]) assert.deepEqual(await store.cubeUsage(cubeId), { memories: 30, bytes: 2 * textBytes + tagBytes });
      const { memories } = await store.listMemories({ cubeId: "tags-a" }, { offset: 0, limit: 100 });
      assert.equal(memories.length, 30);
      for (const memory of memories) assert.deepEqual(memory.tags, tags, "tags as written, in their order");
      // A memory of its own tags (as fine mode's derived memories have), a reordered list and none.
      const ownTags = ["zeta", "alpha", "zeta"];
      await store.addConversation({
        userId: "u",
        now,
        entries: [
          entry("tags-a", "own", "own tags", { tags: ownTags }),
          entry("tags-a", "reordered", "reordered", { tags: [...tags].reverse() }),
          entry("tags-a", "untagged", "untagged"),
        ],
      });
      const [own, reordered, untagged] = await store.memoriesFromMessages("tags-a", ["own", "reordered", "untagged"]);
      assert.deepEqual(own?.tags, ownTags);
      assert.deepEqual(reordered?.tags, [...tags].reverse());
      assert.deepEqual(untagged?.tags, []);
      const usage = await store.cubeUsage("tags-a");
      assert.equal(usage.bytes, 2 * textBytes + tagBytes + 2 * (8 + 9 + 8) + 13 + tagBytes, "each distinct list once, none for no tags");
      // Filters on tags still select by each memory's own list.
      const filtered = async (filter: MemoryFilter) =>
        (await store.listMemories({ cubeId: "tags-a", filter }, { offset: 0, limit: 100 })).memories.map((memory) => memory.text).sort();
      assert.deepEqual(await filtered({ field: "tags", op: "contains", value: "alpha" }), ["own tags"]);
      assert.equal((await filtered({ field: "tags", op: "in", value: ["none", tags[63] ?? ""] })).length, 31);
      assert.deepEqual(await filtered({ field: "tags", op: "eq", value: "missing" }), []);
      assert.equal(
        ids(await store.searchKeywords({ cubeId: "tags-b", filter: { field: "tags", op: "contains", value: tags[0] ?? "" } }, ["tagged"], 100)).length,
        30,
      );
      // Deleting the memories that cite a list frees it; the other cube keeps its own.
      assert.equal(await store.deleteMemories("tags-a", await store.memoryIds({ cubeId: "tags-a" })), 33);
      assert.deepEqual(await store.cubeUsage("tags-a"), { memories: 0, bytes: 0 });
      assert.equal((await store.cubeUsage("tags-b")).bytes, 2 * textBytes + tagBytes);
      await store.deleteCube("tags-b");
      assert.deepEqual(await store.cubeUsage("tags-b"), { memories: 0, bytes: 0 }, "a deleted cube takes its tag sets with it");
    });

    test("a memory, its vector and its words are written and deleted together", async () => {
      await store.createCube({ id: "c1", name: "c1", ownerId: "u", createdAt: now });
      const first = entry("c1", "m1", "apples and pears", { vector: [1, 0, 0] });
      const second = entry("c1", "m2", "only words here", { vector: null });
      const other = entry("c2", "m1", "apples in another cube", { vector: [1, 0, 0] });
      const written = await store.addConversation({ userId: "u", now, entries: [first, second, other] });
      assert.deepEqual(written, { existingMessageIds: [], jobs: [] });
      assert.equal((await store.getCube("c2"))?.ownerId, "u", "a write creates the cube for its writer");

      assert.deepEqual(ids(await store.searchVectors({ cubeId: "c1" }, new Float32Array([1, 0, 0]), 10)), [first.memory.id], "vectors are per cube");
      const [hit] = await store.searchVectors({ cubeId: "c1" }, new Float32Array([0.6, 0.8, 0]), 10);
      assert.ok(Math.abs((hit?.score ?? 0) - 0.6) < 0.02, `score is 1 - cosine distance (${hit?.score})`);
      assert.deepEqual(ids(await store.searchKeywords({ cubeId: "c2" }, ["apples"], 10)), [other.memory.id]);
      assert.deepEqual(ids(await store.searchKeywords({ cubeId: "c1" }, ["words", "nothing"], 10)), [second.memory.id]);
      const vectorsOf = await store.vectorsOf([first.memory.id, second.memory.id]);
      assert.deepEqual([...vectorsOf.keys()], [first.memory.id]);
      assert.ok(Math.abs((vectorsOf.get(first.memory.id)?.[0] ?? 0) - 1) < 0.02);

      const again = await store.addConversation({ userId: "u", now, entries: [entry("c1", "m1", "said again"), entry("c1", "m3", "new")] });
      assert.deepEqual(again.existingMessageIds, ["m1"], "a message id the cube holds is skipped");

      assert.equal(await store.deleteMemories("c1", [first.memory.id, second.memory.id, "not-there"]), 2);
      assert.deepEqual(await store.searchVectors({ cubeId: "c1" }, new Float32Array([1, 0, 0]), 10), []);
      assert.deepEqual(await store.searchKeywords({ cubeId: "c1" }, ["apples", "words"], 10), []);
      assert.equal(await store.getMemory(first.memory.id), undefined);
      assert.deepEqual(await store.getMessages("c1", ["m1", "m2"]), [], "their messages are forgotten");
      assert.equal((await store.listMemories({ cubeId: "c1" })).total, 1);
      assert.equal((await store.listMemories({ cubeId: "c2" })).total, 1, "the other cube is untouched");
    });

    test("word counts and keyword hits follow every write, this connection's and another's (as another process's)", async () => {
      await store.addConversation({ userId: "u", now, entries: [entry("wc", "m1", "plain words"), entry("wc", "m2", "more plain words")] });
      const frequencies = async (word: string) => {
        const { documents, frequencies } = await store.wordFrequencies("wc", [word]);
        return [documents, frequencies.get(word) ?? 0];
      };
      assert.deepEqual(await frequencies("zebra"), [2, 0]);
      assert.deepEqual(await store.searchKeywords({ cubeId: "wc" }, ["zebra"], 10), []);
      const first = entry("wc", "m3", "a zebra crossing");
      await store.addConversation({ userId: "u", now, entries: [first] });
      assert.deepEqual(await frequencies("zebra"), [3, 1], "counted right after this connection's write");
      assert.deepEqual(ids(await store.searchKeywords({ cubeId: "wc" }, ["zebra"], 10)), [first.memory.id]);
      const other = await place.open();
      try {
        const second = entry("wc", "m4", "another zebra");
        await other.addConversation({ userId: "u", now, entries: [second] });
        assert.deepEqual(await frequencies("zebra"), [4, 2], "counted right after another connection's write");
        assert.deepEqual(ids(await store.searchKeywords({ cubeId: "wc" }, ["zebra"], 10)).sort(), [first.memory.id, second.memory.id].sort());
        assert.equal(await other.deleteMemories("wc", [first.memory.id]), 1);
        assert.deepEqual(await frequencies("zebra"), [3, 1], "and after its delete");
        assert.deepEqual(ids(await store.searchKeywords({ cubeId: "wc" }, ["zebra"], 10)), [second.memory.id]);
      } finally {
        await other.close();
      }
    });

    test("a soft delete sets a cube's active memories aside under a record id: out of every read, search and count until recovered or purged", async () => {
      const first = entry("sd", "m1", "apples and pears", { vector: [1, 0, 0] });
      const second = entry("sd", "m2", "pears only", { vector: [0, 1, 0] });
      const other = entry("sd-other", "m1", "apples elsewhere", { vector: [1, 0, 0] });
      await store.addConversation({ userId: "u", now, entries: [first, second, other] });
      const usage = await store.cubeUsage("sd");
      const apples = new Float32Array([1, 0, 0]);

      assert.equal(await store.softDeleteMemories("sd", "r1", at(10)), 2);
      assert.equal((await store.listMemories({ cubeId: "sd" })).total, 0);
      assert.equal(await store.hasMemories({ cubeId: "sd" }), false);
      assert.deepEqual(await store.searchVectors({ cubeId: "sd" }, apples, 10), []);
      assert.deepEqual(await store.searchVectors({ cubeId: "sd", memoryTypes: ["UserMemory"] }, apples, 10), []);
      assert.deepEqual(await store.searchKeywords({ cubeId: "sd" }, ["apples", "pears"], 10), []);
      assert.deepEqual(await store.memoryIds({ cubeId: "sd" }), []);
      assert.deepEqual(await store.recentMemories("sd", "s", 10), []);
      assert.deepEqual(await store.memoriesFromMessages("sd", ["m1", "m2"]), []);
      assert.equal((await store.getMemory(first.memory.id))?.status, "deleted", "the row stays, marked");
      assert.deepEqual(
        (await store.memoryTextsOf([second.memory.id, first.memory.id])).map((memory) => [memory.id, memory.status]),
        [
          [second.memory.id, "deleted"],
          [first.memory.id, "deleted"],
        ],
        "a text read tells the status, for the reader to skip",
      );
      assert.deepEqual(await store.cubeUsage("sd"), { memories: 0, bytes: usage.bytes }, "no active memory; its bytes are still stored");
      assert.equal((await store.cubesOf("u")).find(({ cube }) => cube.id === "sd")?.memories, 0);
      assert.equal((await store.getMessages("sd", ["m1", "m2"])).length, 2, "its messages are kept for the recovery");
      assert.deepEqual(ids(await store.searchVectors({ cubeId: "sd-other" }, apples, 10)), [other.memory.id], "another cube is untouched");

      const setAside = await store.softDeletedMemories({ cubeId: "sd", recordId: "r1", limit: 10 });
      assert.deepEqual(setAside.map((memory) => [memory.id, memory.recordId, memory.deletedAt]).sort(), [
        ...[first.memory.id, second.memory.id].sort().map((id) => [id, "r1", at(10)]),
      ]);
      assert.deepEqual(await store.softDeletedMemories({ deletedBefore: at(10), limit: 10 }), [], "the retention compares deletion times");
      assert.equal((await store.softDeletedMemories({ deletedBefore: at(11), limit: 10 })).length, 2);
      assert.deepEqual(await store.softDeletedMemories({ cubeId: "sd", recordId: "other", limit: 10 }), []);
      assert.equal(await store.softDeleteMemories("sd", "r2", at(20)), 0, "a memory set aside is not set aside again");
      assert.equal(await store.recoverMemories("sd", "r2"), 0, "a record id that set nothing aside recovers nothing");
      assert.equal(await store.recoverMemories("sd-other", "r1"), 0, "a record id is per cube");

      const third = entry("sd", "m3", "apples after the delete", { vector: [0.9, 0.1, 0] });
      await store.addConversation({ userId: "u", now: at(30), entries: [third] });
      assert.equal(await store.recoverMemories("sd", "r1"), 2);
      assert.equal(await store.recoverMemories("sd", "r1"), 0, "recovered once");
      assert.deepEqual(ids(await store.searchVectors({ cubeId: "sd" }, apples, 10)), [first.memory.id, third.memory.id, second.memory.id], "vectors are back");
      const [best] = await store.searchVectors({ cubeId: "sd" }, apples, 1);
      assert.ok(Math.abs((best?.score ?? 0) - 1) < 0.02, `the same vector (${best?.score})`);
      assert.deepEqual(ids(await store.searchKeywords({ cubeId: "sd" }, ["pears"], 10)).sort(), [first.memory.id, second.memory.id].sort(), "words are back");
      assert.equal((await store.listMemories({ cubeId: "sd" })).total, 3);
      assert.equal((await store.getMemory(first.memory.id))?.status, "activated");
      assert.deepEqual(await store.softDeletedMemories({ cubeId: "sd", limit: 10 }), []);

      // Purged: erased as deleteMemories erases, messages and all; its record id recovers nothing then.
      assert.equal(await store.softDeleteMemories("sd", "r3", at(40)), 3);
      const purged = (await store.softDeletedMemories({ cubeId: "sd", recordId: "r3", limit: 10 })).map((memory) => memory.id);
      assert.equal(await store.deleteMemories("sd", purged), 3);
      assert.equal(await store.getMemory(first.memory.id), undefined);
      assert.deepEqual(await store.getMessages("sd", ["m1", "m2", "m3"]), []);
      assert.equal(await store.recoverMemories("sd", "r3"), 0);
      assert.deepEqual(await store.cubeUsage("sd"), { memories: 0, bytes: 0 });
    });

    test("memories read back as written, with their source messages", async () => {
      const time = "2026-02-03T04:05:06.789Z";
      const written = entry("read", "r1", "Ünïcode ✓ 中文 and emoji 🎉", {
        tags: ["a", "b"],
        info: { n: 1.5, nested: { deep: [1, "x"] } },
        time,
        key: "Topic",
      });
      await store.addConversation({ userId: "u", now, entries: [written] });
      const memory = await store.getMemory(written.memory.id);
      const { sourceMessageIds, vector, keywords, ...fields } = written.memory;
      assert.deepEqual(memory, { ...fields, status: "activated", sources: [written.message] });
      assert.deepEqual(await store.getMemories(["missing", written.memory.id]), [memory]);
      assert.deepEqual(
        await store.memoryTextsOf(["missing", written.memory.id]),
        [{ id: written.memory.id, memoryType: written.memory.memoryType, status: "activated", text: "Ünïcode ✓ 中文 and emoji 🎉" }],
        "only the text and what decides its use, in the order asked",
      );
      assert.deepEqual(await store.memoriesFromMessages("read", ["r1"]), [memory]);
      assert.deepEqual(await store.memoriesByKey("read", ["topic"], 5), [memory], "keys match case-insensitively");
      assert.deepEqual(await store.recentMemories("read", "s", 5), [memory]);
      assert.deepEqual(await store.getMessages("read", ["r1"]), [written.message]);
      assert.deepEqual(await store.messagesBefore("read", "s", "2026-12-31T00:00:00.000Z", 5), [written.message]);
      assert.deepEqual(await store.messagesBefore("read", "s", time, 5), []);
    });

    test("the message after (before) another is the next (previous) of its session, in time and then in insertion order", async () => {
      const question = entry("follow", "f1", "Where did you move?", { time: at(1) });
      const sameTime = entry("follow", "f2", "Lisbon!", { time: at(1) });
      const later = entry("follow", "f3", "Nice", { time: at(2) });
      const elsewhere = entry("follow", "f4", "Other session", { time: at(1), sessionId: "other" });
      await store.addConversation({ userId: "u", now, entries: [question, sameTime, later, elsewhere] });
      const next = await store.followingMessages("follow", ["f1", "f2", "f3", "f4", "missing"]);
      assert.deepEqual([...next.entries()].map(([id, message]) => [id, message.messageId]).sort(), [
        ["f1", "f2"],
        ["f2", "f3"],
      ]);
      assert.deepEqual(await store.followingMessages("other-cube", ["f1"]), new Map());
      const previous = await store.precedingMessages("follow", ["f1", "f2", "f3", "f4", "missing"]);
      assert.deepEqual([...previous.entries()].map(([id, message]) => [id, message.messageId]).sort(), [
        ["f2", "f1"],
        ["f3", "f2"],
      ]);
      assert.deepEqual(await store.precedingMessages("other-cube", ["f2"]), new Map());
    });

    test("query syntax in words is searched as text, never interpreted", async () => {
      const tricky = entry("c3", "t1", `he said "near(" or * and ' or 1=1 -- a & b | !c <-> d:* \\ ) `);
      await store.addConversation({ userId: "u", now, entries: [tricky] });
      for (const word of ['"', "NEAR(", "*", "OR", "' OR 1=1 --", "AND", "&", "|", "!", "<->", "d:*", "\\", ")", "'; DROP TABLE memories; --"]) {
        await assert.doesNotReject(store.searchKeywords({ cubeId: "c3" }, [word], 5), word);
        await assert.doesNotReject(store.wordFrequencies("c3", [word]), word);
      }
      assert.deepEqual(ids(await store.searchKeywords({ cubeId: "c3" }, ["near("], 5)), [tricky.memory.id]);
      assert.equal((await store.listMemories({ cubeId: "c3" })).total, 1);
    });

    test("a write re-checks access in its transaction: another user's cube is refused and nothing is written", async () => {
      await store.createCube({ id: "theirs", name: "theirs", ownerId: "someone", createdAt: now });
      assert.equal(await store.createCube({ id: "theirs", name: "again", ownerId: "u", createdAt: now }), false, "a taken id");
      const sneaky = entry("theirs", "s1", "written after access was revoked");
      const fresh = entry("brand-new", "n1", "goes to a new cube");
      await assert.rejects(store.addConversation({ userId: "u", now, entries: [fresh, sneaky] }), CubeWriteRefused);
      assert.equal(await store.getCube("brand-new"), undefined, "the whole batch was rolled back");
      assert.equal((await store.listMemories({ cubeId: "theirs" })).total, 0);

      await store.shareCube("theirs", "u", "read");
      assert.equal(await store.accessOf("theirs", "u"), "read");
      await assert.rejects(store.addConversation({ userId: "u", now, entries: [sneaky] }), CubeWriteRefused, "read is not write");
      await store.shareCube("theirs", "u", "write");
      assert.equal(await store.accessOf("theirs", "u"), "write");
      await store.addConversation({ userId: "u", now, entries: [fresh, sneaky] });
      assert.equal((await store.getCube("brand-new"))?.ownerId, "u");
      assert.equal((await store.listMemories({ cubeId: "theirs" })).total, 1);
      assert.equal(await store.accessOf("theirs", "someone"), "owner");
      assert.equal(await store.accessOf("theirs", "stranger"), undefined);
      await store.shareCube("theirs", "u", undefined);
      assert.equal(await store.accessOf("theirs", "u"), undefined);
    });

    test("filters select the same memories", async () => {
      const cube = "filtered";
      const rows = [
        entry(cube, "f1", "one", { sessionId: "a", tags: ["x", "y"], info: { n: 1, s: "red", b: true }, time: "2026-01-01T00:00:00.000Z" }),
        entry(cube, "f2", "two", {
          sessionId: "a",
          tags: ["y"],
          info: { n: 2, s: "blue", b: false },
          time: "2026-01-02T00:00:00.000Z",
          memoryType: "LongTermMemory",
        }),
        entry(cube, "f3", "three", { sessionId: "b", tags: [], info: { n: "3", s: "reddish" }, time: "2026-01-03T00:00:00.000Z" }),
      ];
      await store.addConversation({ userId: "u", now, entries: rows });
      const texts = async (filter: MemoryFilter) => (await store.listMemories({ cubeId: cube, filter })).memories.map((memory) => memory.text).sort();
      assert.deepEqual(await texts({ field: "session_id", op: "eq", value: "a" }), ["one", "two"]);
      assert.deepEqual(await texts({ field: "memory_type", op: "in", value: ["LongTermMemory"] }), ["two"]);
      assert.deepEqual(await texts({ field: "chat_time", op: "gt", value: "2026-01-01T00:00:00.000Z" }), ["three", "two"]);
      assert.deepEqual(await texts({ field: "created_at", op: "lte", value: "2026-01-02T00:00:00.000Z" }), ["one", "two"]);
      assert.deepEqual(await texts({ field: "tags", op: "contains", value: "x" }), ["one"]);
      assert.deepEqual(await texts({ field: "tags", op: "in", value: ["x", "y"] }), ["one", "two"]);
      assert.deepEqual(await texts({ field: "info.n", op: "gte", value: 2 }), ["two"], "numbers compare with numbers only");
      assert.deepEqual(await texts({ field: "info.n", op: "eq", value: "3" }), ["three"]);
      assert.deepEqual(await texts({ field: "info.s", op: "contains", value: "red" }), ["one", "three"]);
      assert.deepEqual(await texts({ field: "info.s", op: "in", value: ["blue", "red"] }), ["one", "two"]);
      assert.deepEqual(await texts({ field: "info.b", op: "eq", value: true }), ["one"]);
      assert.deepEqual(
        await texts({ field: "info.n", op: "in", value: [1, "3", true, "2"] }),
        ["one", "three"],
        "an `in` of mixed types compares each value with its own type",
      );
      assert.deepEqual(await texts({ field: "info.b", op: "in", value: [false, 1, "true"] }), ["two"]);
      assert.deepEqual(await texts({ field: "session_id", op: "in", value: ["b", 7] }), ["three"]);
      assert.deepEqual(await texts({ field: "info.missing", op: "eq", value: "x" }), []);
      assert.deepEqual(
        await texts({
          or: [
            { field: "session_id", op: "eq", value: "b" },
            {
              and: [
                { field: "info.n", op: "lt", value: 2 },
                { field: "tags", op: "eq", value: "y" },
              ],
            },
          ],
        }),
        ["one", "three"],
      );
      const page = await store.listMemories({ cubeId: cube }, { offset: 1, limit: 1 });
      assert.equal(page.total, 3);
      assert.deepEqual(
        page.memories.map((memory) => memory.text),
        ["two"],
        "newest first",
      );
      assert.deepEqual(
        (await store.listMemories({ cubeId: cube }, undefined, "HRE")).memories.map((memory) => memory.text),
        ["three"],
      );
      assert.deepEqual((await store.memoryIds({ cubeId: cube, sessionId: "b" })).length, 1);
      assert.equal(await store.hasMemories({ cubeId: cube, memoryTypes: ["PreferenceMemory"] }), false);
      assert.equal(await store.hasMemories({ cubeId: cube, memoryTypes: ["LongTermMemory"] }), true);
    });

    test("word frequencies are counted in the cube only", async () => {
      await store.addConversation({
        userId: "u",
        now,
        entries: [entry("wf-a", "1", "rare word here"), entry("wf-a", "2", "common words"), entry("wf-b", "1", "rare rare rare"), entry("wf-b", "2", "rare")],
      });
      const { documents, frequencies } = await store.wordFrequencies("wf-a", ["rare", "common", "absent"]);
      assert.equal(documents, 2);
      assert.deepEqual(Object.fromEntries(frequencies), { rare: 1, common: 1, absent: 0 });
    });

    test("a small cube inside a large table finds its own nearest memories", async () => {
      const many = vectors(600, 8, 3);
      await store.resetVectors({ name: "test-8", dimension: 8 });
      const crowd = many.slice(0, 560).map((vector, index) => entry("crowd", `c${index}`, `crowd ${index}`, { vector }));
      const small = many
        .slice(560)
        .map((vector, index) => entry("small", `s${index}`, `small ${index}`, { vector, memoryType: index < 3 ? "LongTermMemory" : "UserMemory" }));
      await store.addConversation({ userId: "u", now, entries: [...crowd, ...small] });
      const query = many[0] as Float32Array;
      const hits = await store.searchVectors({ cubeId: "small" }, query, 10);
      assert.equal(hits.length, 10);
      const smallIds = new Set(small.map(({ memory }) => memory.id));
      assert.ok(hits.every((hit) => smallIds.has(hit.id)));
      const narrow = await store.searchVectors({ cubeId: "small", memoryTypes: ["LongTermMemory"] }, query, 10);
      assert.equal(narrow.length, 3, "a narrow filter still finds all its rows");
      const scores = hits.map((hit) => hit.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
        "nearest first",
      );
    });

    test("a refinement supersedes with history; deleting the new version takes the old ones", async () => {
      const cube = "refine";
      const raw = entry(cube, "r1", "I live in Paris");
      const added = await store.addConversation({ userId: "u", now, entries: [raw], jobs: [job("refine", cube, ["r1"])] });
      const claimed = await claimAt("refine", store, 1, "w");
      assert.equal(claimed?.taskId, added.jobs[0]?.taskId);
      const derived = entry(cube, "r1", "The user lives in Paris", { key: "home" }).memory;
      const forgotten = { ...entry(cube, "gone", "from a forgotten message").memory };
      const claim = { jobId: claimed?.id ?? 0, workerId: "w" };
      const write = await store.commitRefinement({
        claim,
        cubeId: cube,
        now: at(2),
        derived: [{ memory: derived }, { memory: forgotten }],
        retire: [{ memoryId: raw.memory.id, successorId: derived.id, reason: "refined" }],
        result: { note: 1 },
      });
      assert.deepEqual(write, { insertedIds: [derived.id], archivedIds: [raw.memory.id] });
      assert.equal((await store.getMemory(raw.memory.id))?.status, "archived");
      assert.deepEqual((await store.getJob(claimed?.taskId ?? ""))?.result, { note: 1, insertedIds: [derived.id], archivedIds: [raw.memory.id] });

      await store.addConversation({ userId: "u", now: at(3), entries: [entry(cube, "r2", "I moved to Lyon")], jobs: [job("refine", cube, ["r2"])] });
      const second = await claimAt("refine", store, 4, "w");
      const newer = entry(cube, "r2", "The user lives in Lyon", { key: "home" }).memory;
      await store.commitRefinement({
        claim: { jobId: second?.id ?? 0, workerId: "w" },
        cubeId: cube,
        now: at(5),
        derived: [{ memory: newer, supersedes: { memoryId: derived.id, reason: "moved" } }],
        retire: [],
        result: {},
      });
      const history = await store.memoryHistory(newer.id);
      assert.deepEqual(
        history.map((version) => [version.text, version.status, version.replacedBy, version.reason]),
        [["The user lives in Paris", "archived", newer.id, "moved"]],
      );
      assert.deepEqual(
        (await store.memoryHistory(derived.id)).map((version) => version.replacedBy),
        [newer.id],
      );
      assert.deepEqual(
        (await store.memoriesByKey(cube, ["HOME"], 5)).map((memory) => memory.id),
        [newer.id],
      );
      assert.equal(await store.deleteMemories(cube, [newer.id]), 1);
      assert.equal(await store.getMemory(derived.id), undefined, "the earlier version went with it");
      assert.deepEqual(
        (await store.getMessages(cube, ["r1", "r2"])).map((message) => message.messageId),
        ["r2"],
        "r2 is still cited by its active raw memory; r1 only by archived ones",
      );
    });

    test("a refinement of messages whose memory was soft-deleted meanwhile writes nothing from them", async () => {
      const cube = "refine-aside";
      const raw = entry(cube, "a1", "I live in Oslo");
      await store.addConversation({ userId: "u", now, entries: [raw], jobs: [job("refine-aside", cube, ["a1"])] });
      const claimed = await claimAt("refine-aside", store, 1, "w");
      assert.equal(await store.softDeleteMemories(cube, "rec", at(2)), 1);
      const derived = entry(cube, "a1", "The user lives in Oslo").memory;
      const write = await store.commitRefinement({
        claim: { jobId: claimed?.id ?? 0, workerId: "w" },
        cubeId: cube,
        now: at(3),
        derived: [{ memory: derived }],
        retire: [{ memoryId: raw.memory.id, successorId: derived.id, reason: "refined" }],
        result: {},
      });
      assert.deepEqual(write, { insertedIds: [], archivedIds: [] });
      assert.equal((await store.listMemories({ cubeId: cube })).total, 0, "nothing came back through the refinement");
      assert.equal(await store.recoverMemories(cube, "rec"), 1);
      assert.equal((await store.getMemory(raw.memory.id))?.status, "activated", "the raw memory is recovered as it was");
    });

    test("re-embedding: reset drops the vectors, memory texts page through, set vectors are searched", async () => {
      await store.resetVectors({ name: "other", dimension: 4 });
      assert.deepEqual(await store.embedderIdentity(), { name: "other", dimension: 4 });
      assert.deepEqual(await store.searchVectors({ cubeId: "small" }, new Float32Array([1, 0, 0, 0]), 5), []);
      const page = await store.memoryTexts(undefined, 3);
      assert.equal(page.length, 3);
      const next = await store.memoryTexts(page[2]?.id, 1000);
      assert.ok(next.every((memory) => memory.id > (page[2]?.id ?? "")));
      const target = page[0] as { id: string; cubeId: string };
      await store.setVectors([{ id: target.id, vector: new Float32Array([0, 0, 1, 0]) }]);
      assert.deepEqual(ids(await store.searchVectors({ cubeId: target.cubeId }, new Float32Array([0, 0, 1, 0]), 5)), [target.id]);
      await store.recordEmbedder({ name: "other-done", dimension: 4 });
      assert.deepEqual(await store.embedderIdentity(), { name: "other-done", dimension: 4 });

      // A memory set aside by a soft delete is re-embedded too, and searched with its new vector once recovered.
      const aside = entry("reembed-aside", "e1", "set aside while re-embedding", { vector: null });
      await store.addConversation({ userId: "u", now, entries: [aside] });
      await store.softDeleteMemories("reembed-aside", "rec", at(1));
      assert.ok((await store.memoryTexts(undefined, 100_000)).some((memory) => memory.id === aside.memory.id));
      const up = new Float32Array([0, 1, 0, 0]);
      await store.setVectors([{ id: aside.memory.id, vector: up }]);
      assert.deepEqual(await store.searchVectors({ cubeId: "reembed-aside" }, up, 5), [], "still set aside");
      assert.equal(await store.recoverMemories("reembed-aside", "rec"), 1);
      assert.deepEqual(ids(await store.searchVectors({ cubeId: "reembed-aside" }, up, 5)), [aside.memory.id]);
    });

    test("deleting a cube removes its memories, messages, shares and jobs", async () => {
      await store.addConversation({ userId: "u", now, entries: [entry("doomed", "d1", "soon gone")], jobs: [job("doomed", "doomed", ["d1"])] });
      await store.shareCube("doomed", "friend", "read");
      const [task] = await store.listJobs("u", 1);
      await store.deleteCube("doomed");
      assert.equal(await store.getCube("doomed"), undefined);
      assert.equal(await store.accessOf("doomed", "friend"), undefined);
      assert.equal((await store.listMemories({ cubeId: "doomed" })).total, 0);
      assert.deepEqual(await store.getMessages("doomed", ["d1"]), []);
      assert.equal(await store.getJob(task?.taskId ?? ""), undefined);
    });

    test("erasing a user removes their cubes, what they wrote elsewhere, their jobs and shares; nothing of others", async () => {
      await store.addConversation({
        userId: "eve",
        now,
        entries: [entry("eve", "e1", "eve private note", { userId: "eve" }), entry("eve-2", "e2", "eve second cube", { userId: "eve" })],
        jobs: [{ ...job("erase", "eve", ["e1"]), userId: "eve" }],
      });
      await store.addConversation({ userId: "frank", now, entries: [entry("frank", "f1", "frank keeps this", { userId: "frank" })] });
      await store.shareCube("eve", "frank", "write");
      await store.shareCube("frank", "eve", "write");
      await store.addConversation({ userId: "frank", now, entries: [entry("eve", "f-in-e", "frank wrote in eve's cube", { userId: "frank" })] });
      await store.addConversation({
        userId: "eve",
        now,
        entries: [entry("frank", "e-in-f", "eve wrote in frank's cube", { userId: "eve" })],
        jobs: [{ ...job("erase", "frank", ["e-in-f"]), userId: "eve" }],
      });
      const erased = await store.deleteUser("eve");
      assert.deepEqual(erased, { user: true, cubes: 2, memories: 4, messages: 4, jobs: 2, shares: 1 });
      for (const cube of ["eve", "eve-2"]) assert.equal(await store.getCube(cube), undefined);
      assert.equal(await store.accessOf("frank", "eve"), undefined);
      assert.deepEqual(await store.listJobs("eve", 10), []);
      assert.deepEqual(
        (await store.listMemories({ cubeId: "frank" })).memories.map((memory) => memory.text),
        ["frank keeps this"],
      );
      assert.deepEqual(await store.getMessages("frank", ["f1", "e-in-f"]).then((messages) => messages.map((message) => message.messageId)), ["f1"]);
      assert.deepEqual(await store.deleteUser("eve"), { user: false, cubes: 0, memories: 0, messages: 0, jobs: 0, shares: 0 });
    });

    test("reopening runs no migration twice and keeps the data", async () => {
      const again = await place.open();
      try {
        assert.equal((await again.listMemories({ cubeId: "c2" })).total, 1);
        assert.deepEqual(await again.embedderIdentity(), { name: "other-done", dimension: 4 });
      } finally {
        await again.close();
      }
    });
  });

  describe(`store contract: ${backend.name}: the job queue`, { skip: backend.skip }, () => {
    let place: Place;
    // Two connections to one store, as two processes would have.
    let one: Store;
    let two: Store;
    before(async () => {
      place = await backend.place();
      one = await place.open();
      two = await place.open();
    });
    after(async () => {
      await one?.close();
      await two?.close();
      await place?.remove();
    });

    test("jobs are enqueued with the batch, covering only the messages it stored", async () => {
      const first = await one.addConversation({ userId: "u", now: at(0), entries: [entry("q1", "m1", "one")], jobs: [job("a", "q1", ["m1"])] });
      assert.equal(first.jobs.length, 1);
      const again = await one.addConversation({
        userId: "u",
        now: at(0),
        entries: [entry("q1", "m1", "one again"), entry("q1", "m2", "two")],
        jobs: [job("a", "q1", ["m1", "m2"]), job("a", "q1", ["m1"])],
      });
      assert.deepEqual(
        again.jobs.map((queued) => queued.messageIds),
        [["m2"]],
        "a job over messages already held is not queued",
      );
      const stored = await two.getJob(again.jobs[0]?.taskId ?? "");
      assert.deepEqual(stored?.payload.messageIds, ["m2"]);
      assert.equal(stored?.payload.sessionId, "s");
      assert.equal((stored?.payload.memoryIds as string[]).length, 1);
      assert.equal(stored?.status, "queued");
      assert.equal(stored?.attempts, 0);
      assert.equal(await two.countUnfinishedJobs("u"), 2);
      assert.deepEqual(
        (await two.listJobs("u", 5)).map((listed) => listed.taskId),
        [again.jobs[0]?.taskId, first.jobs[0]?.taskId],
        "newest first",
      );
    });

    test("one claim per job across connections; a cube's jobs run one at a time, in order", async () => {
      const a = await claimAt("a", one, 1, "w1");
      const b = await claimAt("a", two, 1, "w2");
      assert.equal(a?.cubeId, "q1");
      assert.equal(a?.attempts, 1);
      assert.equal(a?.status, "running");
      assert.equal(a?.lockedBy, "w1");
      assert.equal(b, undefined, "the second job of q1 waits for the first");
      await one.addConversation({ userId: "u", now: at(1), entries: [entry("q2", "m1", "other cube")], jobs: [job("a", "q2", ["m1"])] });
      assert.equal((await claimAt("a", two, 1, "w2"))?.cubeId, "q2", "another cube's job is not held up");
      assert.equal(await two.renewJob({ jobId: a?.id ?? 0, workerId: "w2" }, at(50)), false, "only the holder renews");
      assert.ok(await one.renewJob({ jobId: a?.id ?? 0, workerId: "w1" }, at(50)));
      assert.ok(await one.finishJob({ jobId: a?.id ?? 0, workerId: "w1" }, { status: "done", result: {} }, at(2)));
      assert.equal((await claimAt("a", two, 2, "w2"))?.cubeId, "q1");
    });

    test("a lapsed lease is claimed again; the old runner's writes are then refused", async () => {
      await one.addConversation({ userId: "u", now: at(0), entries: [entry("q3", "m1", "crash")], jobs: [job("b", "q3", ["m1"])] });
      const first = await claimAt("b", one, 20, "dead");
      assert.ok(first);
      assert.equal(await claimAt("b", two, 25, "alive"), undefined, "not while the lease holds");
      const second = await claimAt("b", two, 31, "alive");
      assert.equal(second?.id, first.id);
      assert.equal(second?.attempts, 2);
      assert.equal(await one.renewJob({ jobId: first.id, workerId: "dead" }, at(60)), false);
      assert.equal(await one.finishJob({ jobId: first.id, workerId: "dead" }, { status: "parked", error: "x" }, at(32)), false);
      await assert.rejects(
        one.commitRefinement({ claim: { jobId: first.id, workerId: "dead" }, cubeId: "q3", now: at(32), derived: [], retire: [], result: {} }),
        JobLeaseLost,
      );
      const write = await two.commitRefinement({
        claim: { jobId: first.id, workerId: "alive" },
        cubeId: "q3",
        now: at(32),
        derived: [],
        retire: [],
        result: { n: 1 },
      });
      assert.deepEqual(write, { insertedIds: [], archivedIds: [] });
      const done = await one.getJob(first.taskId);
      assert.equal(done?.status, "done");
      assert.equal(done?.lockedBy, null);
      assert.deepEqual(done?.result, { n: 1, insertedIds: [], archivedIds: [] });
    });

    test("a failed attempt waits out its backoff; a parked job keeps its error", async () => {
      await one.addConversation({ userId: "u", now: at(0), entries: [entry("q5", "m1", "flaky")], jobs: [job("d", "q5", ["m1"])] });
      const first = await claimAt("d", one, 1, "w");
      assert.ok(await one.finishJob({ jobId: first?.id ?? 0, workerId: "w" }, { status: "queued", runAfter: at(30), error: "upstream 500" }, at(2)));
      assert.equal(await claimAt("d", two, 10, "w"), undefined, "not before its backoff");
      const retry = await claimAt("d", two, 30, "w");
      assert.equal(retry?.attempts, 2);
      assert.equal(retry?.lastError, "upstream 500");
      assert.ok(await two.finishJob({ jobId: retry?.id ?? 0, workerId: "w" }, { status: "parked", error: "gave up" }, at(31)));
      const parked = await one.getJob(retry?.taskId ?? "");
      assert.equal(parked?.status, "parked");
      assert.equal(parked?.lastError, "gave up");
    });

    test("a reserved job waits for its request; the request claims it by task id", async () => {
      const reserved = job("c", "q4", ["m1"], at(100));
      await one.addConversation({ userId: "u", now: at(40), entries: [entry("q4", "m1", "sync")], jobs: [reserved] });
      assert.equal(await claimAt("c", two, 41, "background"), undefined);
      assert.equal((await claimAt("c", one, 41, "request", reserved.taskId))?.taskId, reserved.taskId);
    });

    test("claims racing from two connections take every job exactly once", async () => {
      const count = 30;
      await one.addConversation({
        userId: "u",
        now: at(0),
        entries: Array.from({ length: count }, (_, index) => entry(`race-${index}`, "m", `race ${index}`)),
        jobs: Array.from({ length: count }, (_, index) => job("race", `race-${index}`, ["m"])),
      });
      const claimed: number[] = [];
      const drain = async (store: Store, workerId: string) => {
        for (;;) {
          const claim = await claimAt("race", store, 1, workerId);
          if (!claim) return;
          claimed.push(claim.id);
          await store.finishJob({ jobId: claim.id, workerId }, { status: "done", result: {} }, at(1));
        }
      };
      await Promise.all([drain(one, "x1"), drain(two, "x2"), drain(one, "x3"), drain(two, "x4")]);
      assert.equal(claimed.length, count);
      assert.equal(new Set(claimed).size, count, "no job was claimed twice");
    });

    test("finished jobs are pruned after their retention; unfinished and parked ones stay", async () => {
      const unfinished = await one.countUnfinishedJobs("u");
      assert.equal(await one.pruneJobs(at(0)), 0, "not before their time");
      assert.equal(await one.pruneJobs(at(3600)), 32);
      assert.equal(await one.countUnfinishedJobs("u"), unfinished);
    });

    test("chat token counts: per user and day, added to atomically from two connections", async () => {
      assert.equal(await one.chatTokens("quota-user", "2026-11-25"), 0);
      const totals = await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? one : two).addChatTokens("quota-user", "2026-11-25", 100)));
      assert.equal(Math.max(...totals), 2000, "every addition counted");
      assert.equal(await two.chatTokens("quota-user", "2026-11-25"), 2000);
      assert.equal(await one.chatTokens("quota-user", "2026-11-26"), 0, "another day");
      assert.equal(await one.chatTokens("someone-else", "2026-11-25"), 0, "another user");
    });

    test("operations: schema status, counts, cube usage; parked jobs listed, retried and dropped", async () => {
      const schema = await one.schemaStatus();
      assert.ok(schema.applied >= 1);
      assert.equal(schema.applied, schema.latest);
      await one.addConversation({
        userId: "u",
        now: at(0),
        entries: [entry("ops", "m1", "Ünïcode"), entry("ops", "m2", "plain")],
        jobs: [job("ops", "ops", ["m1"]), job("ops", "ops", ["m2"])],
      });
      // Each message is stored twice: as the message, and as its memory's text.
      assert.deepEqual(await one.cubeUsage("ops"), { memories: 2, bytes: 2 * (Buffer.byteLength("Ünïcode") + 5) });
      assert.deepEqual(await one.cubeUsage("no-such-cube"), { memories: 0, bytes: 0 });
      const stats = await one.stats(at(5));
      assert.ok(stats.memories >= 2 && stats.cubes >= 1);
      assert.ok(stats.jobs.queued >= 2);
      assert.ok(stats.oldestDueAt !== null && stats.oldestDueAt <= at(5));
      const parkedBefore = stats.jobs.parked;
      for (const workerId of ["p1", "p2"]) {
        const claim = await claimAt("ops", one, 1, workerId);
        assert.ok(claim);
        assert.ok(await one.finishJob({ jobId: claim.id, workerId }, { status: "parked", error: `broken ${workerId}` }, at(2)));
      }
      assert.equal((await two.stats(at(5))).jobs.parked, parkedBefore + 2);
      const parked = (await two.listParkedJobs(100)).filter((entry) => entry.kind === "ops");
      assert.deepEqual(
        parked.map((entry) => entry.lastError),
        ["broken p1", "broken p2"],
      );
      const [first, second] = parked;
      assert.ok(first && second);
      assert.equal(await one.retryParkedJob(first.taskId, at(10)), true);
      assert.equal(await one.retryParkedJob(first.taskId, at(10)), false, "no longer parked");
      const requeued = await one.getJob(first.taskId);
      assert.equal(requeued?.status, "queued");
      assert.equal(requeued?.attempts, 0);
      assert.equal(requeued?.runAfter, at(10));
      assert.equal(await two.dropParkedJob(second.taskId), true);
      assert.equal(await two.dropParkedJob(second.taskId), false);
      assert.equal(await one.getJob(second.taskId), undefined);
      assert.equal(await one.dropParkedJob(first.taskId), false, "only parked jobs are dropped");
    });

    test("a job naming no message is enqueued on its own, into a cube the user may write; a finished one is never claimed", async () => {
      const standalone = { ...job("solo", "solo-cube", []), userId: "solo-user" };
      const record = { ...job("solo", "solo-cube", []), userId: "solo-user", finished: { mode: "fast" } };
      const write = await one.addConversation({ userId: "solo-user", now: at(0), entries: [], jobs: [standalone, record] });
      assert.deepEqual(
        write.jobs.map((entry) => entry.taskId),
        [standalone.taskId, record.taskId],
      );
      assert.equal((await two.getCube("solo-cube"))?.ownerId, "solo-user", "the job's cube is created for its user");
      assert.equal((await two.getJob(standalone.taskId))?.status, "queued");
      const done = await two.getJob(record.taskId);
      assert.equal(done?.status, "done");
      assert.deepEqual(done?.result, { mode: "fast" });
      assert.equal(await two.countUnfinishedJobs("solo-user"), 1);
      const claimed = await claimAt("solo", one, 1, "w-solo");
      assert.equal(claimed?.taskId, standalone.taskId);
      assert.equal(await claimAt("solo", two, 1, "w-solo2"), undefined, "the finished record is not work");
      await assert.rejects(
        one.addConversation({ userId: "intruder", now: at(0), entries: [], jobs: [{ ...job("solo", "solo-cube", []), userId: "intruder" }] }),
        CubeWriteRefused,
      );
    });
  });
}
