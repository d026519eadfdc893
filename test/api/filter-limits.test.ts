/**
 * Filters at the documented maxima — 1,000 values per `in`, 100 conditions, JSON nested 32 levels
 * deep — work on search and delete_memory, on SQLite and on PostgreSQL: a filter the API accepts
 * never meets a limit of the database (SQL variables, expression depth, bound parameters).
 * One step past each maximum is a 422 naming it. The other long lists a request can make (10,000
 * memory ids, a query's index terms) are held to the same.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freshSchema, POSTGRES_SKIP, type TestSchema } from "../support/postgres.js";
import { startTestServer, textHits, type TestServer } from "../support/server.js";

const MAX_IN_VALUES = 1000;
const MAX_CONDITIONS = 100;
const MAX_DEPTH = 32;

/** `count` values none of the memories hold, then the wanted ones (so the list is `count` long in all). */
function valuesEndingWith<T>(count: number, filler: (index: number) => T, ...wanted: T[]): T[] {
  return [...Array.from({ length: count - wanted.length }, (_, index) => filler(index)), ...wanted];
}

const textIn = (field: string, ...wanted: string[]) => ({ [field]: { in: valuesEndingWith(MAX_IN_VALUES, (index) => `none-${index}`, ...wanted) } });
const numberIn = (field: string, ...wanted: number[]) => ({ [field]: { in: valuesEndingWith(MAX_IN_VALUES, (index) => 100_000 + index, ...wanted) } });

/** 100 conditions of 1,000 values each, over every kind of field; only the last one selects `session`. */
function widestFilter(session: string) {
  const kinds: (() => object)[] = [() => textIn("info.colour"), () => numberIn("info.rank"), () => textIn("tags"), () => textIn("session_id")];
  const others = Array.from({ length: MAX_CONDITIONS - 1 }, (_, index) => (kinds[index % kinds.length] as () => object)());
  return { or: [...others, textIn("session_id", session)] };
}

/** An `and` nested `levels` deep around a 1,000-value `in`: the body nests 4 + 2 × levels deep. */
function deepestFilter(levels: number, colour: string) {
  let filter: object = textIn("info.colour", colour);
  for (let level = 0; level < levels; level += 1) filter = level % 2 === 0 ? { and: [filter, { "info.rank": { gte: 1 } }] } : { or: [filter] };
  return filter;
}
const DEEPEST_LEVELS = (MAX_DEPTH - 4) / 2;

function filterLimitSuite(name: string, env: () => Promise<{ env: Record<string, string>; drop?: () => Promise<void> }>, skip: string | false = false) {
  describe(`filters at the documented limits (${name})`, { skip }, () => {
    let server: TestServer;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      const setup = await env();
      drop = setup.drop;
      server = await startTestServer(setup.env);
    });
    after(async () => {
      await server?.cleanup();
      await drop?.();
    });

    /** Two memories per user: one the filters select (red, rank 7, session "pick"), one they do not. */
    async function seed(userId: string): Promise<void> {
      const picked = await server.post("/product/add", {
        user_id: userId,
        session_id: "pick",
        messages: "The red kite nests in the old oak tree",
        info: { colour: "red", rank: 7 },
        custom_tags: ["birds"],
      });
      assert.equal(picked.status, 200, JSON.stringify(picked.body));
      const other = await server.post("/product/add", {
        user_id: userId,
        session_id: "keep",
        messages: "The blue heron fishes by the old oak tree",
        info: { colour: "blue", rank: 3 },
        custom_tags: ["birds"],
      });
      assert.equal(other.status, 200, JSON.stringify(other.body));
    }

    const search = (userId: string, filter: object) => server.post("/product/search", { user_id: userId, query: "old oak tree birds", filter });

    test("search: an `in` of 1,000 values on info, tags, session_id and numbers", async () => {
      await seed("lim-in");
      for (const filter of [textIn("info.colour", "red"), numberIn("info.rank", 7), textIn("session_id", "pick"), textIn("tags", "birds", "none")]) {
        const found = await search("lim-in", filter);
        assert.equal(found.status, 200, JSON.stringify(found.body).slice(0, 300));
        const expected =
          "tags" in filter
            ? ["The blue heron fishes by the old oak tree", "The red kite nests in the old oak tree"]
            : ["The red kite nests in the old oak tree"];
        assert.deepEqual(textHits(found.body).sort(), expected);
      }
    });

    test("search: 100 conditions of 1,000 values each", async () => {
      await seed("lim-wide");
      const found = await search("lim-wide", widestFilter("pick"));
      assert.equal(found.status, 200, JSON.stringify(found.body).slice(0, 300));
      assert.deepEqual(textHits(found.body), ["The red kite nests in the old oak tree"]);
    });

    test("search: a filter nested as deep as a body may nest", async () => {
      await seed("lim-deep");
      const found = await search("lim-deep", deepestFilter(DEEPEST_LEVELS, "red"));
      assert.equal(found.status, 200, JSON.stringify(found.body).slice(0, 300));
      assert.deepEqual(textHits(found.body), ["The red kite nests in the old oak tree"]);
      const deeper = await search("lim-deep", deepestFilter(DEEPEST_LEVELS + 1, "red"));
      assert.equal(deeper.status, 422, "one level more is past the body's nesting limit");
      assert.match(deeper.body.message, new RegExp(`nested deeper than ${MAX_DEPTH} levels`));
    });

    test("delete_memory: the widest and the deepest filters delete exactly what they select", async () => {
      await seed("lim-del");
      const wide = await server.post("/product/delete_memory", { user_id: "lim-del", filter: widestFilter("pick") });
      assert.equal(wide.status, 200, JSON.stringify(wide.body).slice(0, 300));
      assert.equal(wide.body.data.deleted, 1);
      await seed("lim-del2");
      const deep = await server.post("/product/delete_memory", { user_id: "lim-del2", filter: deepestFilter(DEEPEST_LEVELS, "red") });
      assert.equal(deep.status, 200, JSON.stringify(deep.body).slice(0, 300));
      assert.equal(deep.body.data.deleted, 1);
      const one = await server.post("/product/delete_memory", { user_id: "lim-del2", filter: textIn("info.colour", "blue") });
      assert.equal(one.status, 200, JSON.stringify(one.body).slice(0, 300));
      assert.equal(one.body.data.deleted, 1);
      for (const userId of ["lim-del", "lim-del2"]) {
        const left = await server.post("/product/get_all", { user_id: userId });
        const texts = left.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory);
        assert.deepEqual(texts, userId === "lim-del" ? ["The blue heron fishes by the old oak tree"] : []);
      }
    });

    test("delete_memory: 10,000 memory ids, the most one request may name", async () => {
      await seed("lim-ids");
      const all = await server.post("/product/get_all", { user_id: "lim-ids" });
      const red = all.body.data[0].memories[0].nodes.find((memory: { memory: string }) => memory.memory.startsWith("The red kite")).id as string;
      const ids = valuesEndingWith(10_000, () => crypto.randomUUID(), red);
      const deleted = await server.post("/product/delete_memory", { user_id: "lim-ids", memory_ids: ids });
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body).slice(0, 300));
      assert.equal(deleted.body.data.deleted, 1);
    });

    test("search: a query of the longest length whose 64 words split into ~50,000 index terms", async () => {
      await seed("lim-terms");
      // "ab.a.a.a…" is one word to the query (like x.com) but many terms to the keyword index.
      const letters = "bcdefghijklmnopqrstuvwxyz";
      const words = Array.from({ length: 64 }, (_, index) => `${letters[index % 25]}${letters[Math.floor(index / 25)]}${".a".repeat(779)}`);
      const query = words.join(" ");
      assert.ok(query.length <= 100_000);
      const found = await server.post("/product/search", { user_id: "lim-terms", query });
      assert.equal(found.status, 200, JSON.stringify(found.body).slice(0, 300));
    });

    test("one step past each limit is a 422 naming it, and deletes nothing", async () => {
      await seed("lim-over");
      const tooMany = { "info.colour": { in: [...valuesEndingWith(MAX_IN_VALUES, (index) => `none-${index}`, "red"), "one-more"] } };
      const values = await server.post("/product/delete_memory", { user_id: "lim-over", filter: tooMany });
      assert.equal(values.status, 422);
      assert.match(values.body.message, /^filter\.info\.colour\.in: more than 1000 values/);
      const conditions = await server.post("/product/delete_memory", {
        user_id: "lim-over",
        filter: { or: [...widestFilter("pick").or, { session_id: "x" }] },
      });
      assert.equal(conditions.status, 422);
      assert.match(conditions.body.message, /^filter: more than 100 conditions/);
      const left = await server.post("/product/get_all", { user_id: "lim-over" });
      assert.equal(left.body.data[0].memories[0].nodes.length, 2);
    });
  });
}

filterLimitSuite("SQLite", async () => ({ env: {} }));

let schema: TestSchema | undefined;
filterLimitSuite(
  "PostgreSQL",
  async () => {
    schema = await freshSchema("filter_limits");
    return { env: { MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }, drop: () => schema?.drop() ?? Promise.resolve() };
  },
  POSTGRES_SKIP,
);
