import { test } from "node:test";
import assert from "node:assert/strict";
import { loadModel, MODEL_DIMENSION } from "../../src/embed/model.js";

test("the bundled encoder runs its fast synchronous path, empty texts anywhere in a batch", async () => {
  const model = await loadModel();
  try {
    // The fed-in masks agreed with the full graph at load; were they to stop agreeing (another
    // model version), every call would fall back to the slower path, silently: hence this check.
    assert.equal(model.synchronous, true);
    const [alone, first, middle, last] = [
      await model.embed([""]),
      await model.embed(["", "hello"]),
      await model.embed(["hello", "", "world"]),
      await model.embed(["hello", ""]),
    ];
    const row = (vectors: Float32Array, i: number) => vectors.subarray(i * MODEL_DIMENSION, (i + 1) * MODEL_DIMENSION);
    assert.equal(alone.length, MODEL_DIMENSION);
    for (const vectors of [first, middle, last]) assert.equal(vectors.length % MODEL_DIMENSION, 0);
    for (const empty of [row(first, 0), row(middle, 1), row(last, 1)]) assert.deepEqual(empty, row(alone, 0));
    const norm = Math.hypot(...row(alone, 0));
    assert.ok(Math.abs(norm - 1) < 1e-5, `norm ${norm}`);
  } finally {
    model.dispose();
  }
});
