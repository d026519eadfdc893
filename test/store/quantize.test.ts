import assert from "node:assert/strict";
import { test } from "node:test";
import { dequantize, dotCompact, quantize } from "../../src/store/sqlite/quantize.js";

/** A buffer holding the same bytes at an odd offset, as SQLite may hand a blob over. */
function atOddOffset(bytes: Buffer): Buffer {
  const shifted = Buffer.alloc(bytes.length + 1);
  bytes.copy(shifted, 1);
  return shifted.subarray(1);
}

test("a compact vector reads back within 1e-4 of the vector, the same wherever its bytes sit", () => {
  let seed = 3;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  for (let round = 0; round < 20; round += 1) {
    const raw = Float32Array.from({ length: 512 }, random);
    const norm = Math.hypot(...raw);
    const vector = raw.map((value) => value / norm);
    const compact = quantize(vector);
    const back = dequantize(compact);
    assert.equal(back.length, 512);
    for (let index = 0; index < 512; index += 1) assert.ok(Math.abs((back[index] as number) - (vector[index] as number)) < 1e-4, `component ${index}`);
    assert.deepEqual(dequantize(atOddOffset(compact)), back);
    const dot = back.reduce((sum, value, index) => sum + value * (vector[index] as number), 0);
    assert.ok(Math.abs(dotCompact(compact, vector) - dot) < 1e-5);
    assert.ok(Math.abs(dotCompact(atOddOffset(compact), vector) - dot) < 1e-5);
  }
});
