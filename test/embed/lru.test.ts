import { test } from "node:test";
import assert from "node:assert/strict";
import { LruCache } from "../../src/embed/lru.js";

test("LruCache evicts the least recently used entry", () => {
  const cache = new LruCache<string, number>(2);
  cache.set("a", 1);
  cache.set("b", 2);
  assert.equal(cache.get("a"), 1); // "b" is now the least recently used
  cache.set("c", 3);
  assert.equal(cache.get("b"), undefined);
  assert.equal(cache.get("a"), 1);
  assert.equal(cache.get("c"), 3);
  cache.set("a", 10); // replacing refreshes too
  cache.set("d", 4);
  assert.equal(cache.get("c"), undefined);
  assert.equal(cache.get("a"), 10);
  assert.equal(cache.size, 2);
});

test("LruCache of capacity 0 keeps nothing", () => {
  const cache = new LruCache<string, number>(0);
  cache.set("a", 1);
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.size, 0);
});
