import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseFilter } from "../../src/api/filter.js";
import { cosine, dropDuplicates, fuse, jaccard, keywordCoverage, mmr } from "../../src/memory/rank.js";
import { parseChatTime } from "../../src/memory/time.js";
import { queryWordsOf, wordsOf } from "../../src/memory/words.js";

describe("parseChatTime", () => {
  const cases: [string, string | undefined][] = [
    ["2026-06-01 09:00:00", "2026-06-01T09:00:00.000Z"],
    ["2026-06-01T09:00:00", "2026-06-01T09:00:00.000Z"],
    ["2026-06-01T09:00:00Z", "2026-06-01T09:00:00.000Z"],
    ["2026-06-01T09:00:00.5+02:00", "2026-06-01T07:00:00.500Z"],
    ["2026-06-01T09:00:00-0530", "2026-06-01T14:30:00.000Z"],
    ["2026-06-01", "2026-06-01T00:00:00.000Z"],
    ["2026-02-30 10:00:00", undefined],
    ["yesterday", undefined],
    ["1717232400", undefined],
  ];
  for (const [text, expected] of cases) test(text, () => assert.equal(parseChatTime(text), expected));
});

describe("words", () => {
  test("Chinese is segmented into words; English words stay whole and fold case and accents", () => {
    assert.deepEqual(wordsOf("我想住连锁酒店"), ["我", "想", "住", "连锁", "酒店"]);
    assert.deepEqual(wordsOf("Café au LAIT, s'il vous plaît"), ["cafe", "au", "lait", "s", "il", "vous", "plait"]);
  });
  test("queries drop common words unless nothing else is left", () => {
    assert.deepEqual(queryWordsOf("What is my favourite colour?"), ["favourite", "colour"]);
    assert.deepEqual(queryWordsOf("who is it"), ["who", "is", "it"]);
    assert.deepEqual(queryWordsOf("广州有哪些酒店"), ["广州", "酒店"]);
  });
});

describe("ranking", () => {
  test("coverage weighs rare words more", () => {
    const weights = new Map([
      ["peanut", 3],
      ["snack", 1],
    ]);
    assert.equal(keywordCoverage(["peanut", "snack"], weights, new Set(["peanut"])), 0.75);
    assert.equal(keywordCoverage(["peanut", "snack"], weights, new Set(["other"])), 0);
  });
  test("fusion: either channel alone can make a memory relevant; agreement ranks higher; 0..1", () => {
    assert.equal(fuse(0.1, 0), 0);
    assert.ok(fuse(0.8, 0) > 0.5);
    assert.ok(fuse(0.2, 1) >= 0.9);
    assert.ok(fuse(0.8, 1) > fuse(0.8, 0.5));
    assert.equal(fuse(undefined, 0.5), 0.5);
    assert.ok(fuse(1.2, 2) <= 1);
  });
  test("fusion: a memory as close as a paraphrase or closer still ranks below one that also holds the query's words", () => {
    // Past the paraphrase level (0.9 on the default scale) the vector channel no longer separates memories:
    // the query's words must still decide between them.
    assert.equal(fuse(0.95, 0), fuse(1, 0));
    assert.ok(fuse(0.95, 0) < 1);
    assert.ok(fuse(0.95, 1) > fuse(1, 0));
    assert.ok(fuse(0.95, 0.5) > fuse(1, 0));
  });
  test("cosine is the dot product of the two vectors, whatever their length", () => {
    for (const length of [0, 1, 3, 4, 5, 511, 512]) {
      const a = Float32Array.from({ length }, (_, index) => Math.sin(index + 1));
      const b = Float32Array.from({ length }, (_, index) => Math.cos(index * 2));
      const dot = a.reduce((sum, value, index) => sum + value * (b[index] as number), 0);
      assert.ok(Math.abs(cosine(a, b) - dot) < 1e-9, `length ${length}`);
    }
  });
  test("jaccard", () => {
    assert.equal(jaccard(new Set(["a", "b"]), new Set(["b", "c"])), 1 / 3);
  });
  const items = [
    { id: "a1", relevance: 0.9, group: "a" },
    { id: "a2", relevance: 0.89, group: "a" },
    { id: "b1", relevance: 0.8, group: "b" },
  ];
  const sameGroup = (x: { group: string }, y: { group: string }) => (x.group === y.group ? 0.97 : 0.1);
  test("mmr drops near-duplicates and keeps the rest in relevance order", () => {
    assert.deepEqual(
      mmr(items, sameGroup, { lambda: 0.85, duplicate: 0.95, limit: 3 }).map((item) => item.id),
      ["a1", "b1"],
    );
  });
  test("mmr prefers a diverse memory over a similar, slightly more relevant one", () => {
    const similar = (x: { group: string }, y: { group: string }) => (x.group === y.group ? 0.8 : 0);
    assert.deepEqual(
      mmr(items, similar, { lambda: 0.5, duplicate: 0.95, limit: 2 }).map((item) => item.id),
      ["a1", "b1"],
    );
  });
  test("mmr picks what a full scan of every candidate at every step picks (random lists, ties included)", () => {
    // The definition, scanned in full: each step scores every remaining candidate against all picks.
    const fullScan = <T extends { relevance: number }>(list: T[], similarity: (a: T, b: T) => number, lambda: number, duplicate: number, limit: number) => {
      let remaining = [...list];
      const picked: T[] = [];
      while (picked.length < limit && remaining.length > 0) {
        const scored = remaining.map((candidate) => ({
          candidate,
          score: lambda * candidate.relevance - (1 - lambda) * Math.max(0, ...picked.map((pick) => similarity(candidate, pick))),
        }));
        const best = scored.reduce((top, entry) => (entry.score > top.score ? entry : top));
        picked.push(best.candidate);
        remaining = remaining.filter((candidate) => candidate !== best.candidate && Math.max(...picked.map((pick) => similarity(candidate, pick))) < duplicate);
      }
      return picked;
    };
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round += 1) {
      const list = Array.from({ length: 1 + Math.floor(random() * 60) }, (_, index) => ({
        id: index,
        // Coarse relevances make ties common; groups make near-duplicates.
        relevance: Math.round(random() * 20) / 20,
        group: Math.floor(random() * 8),
        position: random(),
      })).sort((a, b) => b.relevance - a.relevance);
      const similarity = (a: (typeof list)[number], b: (typeof list)[number]) => (a.group === b.group ? 0.96 : Math.abs(a.position - b.position));
      const lambda = [0.5, 0.85, 1][round % 3] as number;
      const limit = 1 + (round % 12);
      assert.deepEqual(
        mmr(list, similarity, { lambda, duplicate: 0.95, limit }).map((item) => item.id),
        fullScan(list, similarity, lambda, 0.95, limit).map((item) => item.id),
        `round ${round}`,
      );
    }
  });
  test("sim dedup keeps order", () => {
    assert.deepEqual(
      dropDuplicates(items, sameGroup, 0.95, 5).map((item) => item.id),
      ["a1", "b1"],
    );
  });
});

describe("parseFilter", () => {
  test("MemOS filter JSON becomes a typed filter", () => {
    assert.deepEqual(parseFilter({ and: [{ memory_type: "UserMemory" }, { created_at: { gte: "2026-01-01" } }] }), {
      and: [
        { field: "memory_type", op: "eq", value: "UserMemory" },
        { field: "created_at", op: "gte", value: "2026-01-01T00:00:00.000Z" },
      ],
    });
    assert.deepEqual(parseFilter({ "info.app": { in: ["a", "b"] } }), { field: "info.app", op: "in", value: ["a", "b"] });
  });
  const bad: [unknown, RegExp][] = [
    [{}, /^filter: must not be empty/],
    [{ and: [] }, /^filter\.and: /],
    [{ and: [{ nope: 1 }] }, /^filter\.and\.0\.nope: unknown filter field/],
    [{ tags: { regex: "x" } }, /^filter\.tags\.regex: unknown operator/],
    [{ chat_time: { gt: "soon" } }, /^filter\.chat_time\.gt: expected a date/],
    [{ "info.a b": 1 }, /unknown filter field/],
    [{ session_id: { eq: 1, gt: 2 } }, /exactly one operator/],
    [{ session_id: [1] }, /expected a string, number or boolean/],
  ];
  for (const [json, message] of bad) {
    test(`rejects ${JSON.stringify(json)}`, () =>
      assert.throws(
        () => parseFilter(json),
        (error: Error) => message.test(error.message),
      ));
  }
});
