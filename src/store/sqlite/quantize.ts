/**
 * Compact vectors: a float32 scale followed by one int16 per component (1,028 bytes for 512-d
 * instead of 2,048). Cosine similarity between dequantised unit vectors stays within about 1e-4 of
 * the exact one, so re-scoring on them ranks like exact search.
 */
const LEVELS = 32767;

export function quantize(vector: Float32Array): Buffer {
  let largest = 0;
  for (const value of vector) largest = Math.max(largest, Math.abs(value));
  const scale = largest > 0 ? largest / LEVELS : 1;
  const buffer = Buffer.alloc(4 + vector.length * 2);
  buffer.writeFloatLE(scale, 0);
  for (let index = 0; index < vector.length; index += 1) {
    buffer.writeInt16LE(Math.round((vector[index] as number) / scale), 4 + index * 2);
  }
  return buffer;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The int16 components of a compact vector, as a view where the bytes allow it (else a copy). */
function componentsOf(buffer: Uint8Array): Int16Array | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  const length = (buffer.byteLength - 4) / 2;
  if ((buffer.byteOffset + 4) % 2 === 0) return new Int16Array(buffer.buffer, buffer.byteOffset + 4, length);
  return new Int16Array(Uint8Array.prototype.slice.call(buffer, 4).buffer, 0, length);
}

/**
 * The dot product of a compact vector with a full one, without dequantising it first: a search
 * re-scores a few hundred index candidates, and this is about 7× faster than dequantize + dot.
 */
export function dotCompact(buffer: Uint8Array, vector: Float32Array): number {
  const components = componentsOf(buffer);
  if (components === undefined) {
    const other = dequantize(buffer);
    let dot = 0;
    for (let index = 0; index < other.length; index += 1) dot += (other[index] ?? 0) * (vector[index] ?? 0);
    return dot;
  }
  const scale = Buffer.from(buffer.buffer, buffer.byteOffset, 4).readFloatLE(0);
  let dot = 0;
  for (let index = 0; index < components.length; index += 1) dot += (components[index] as number) * (vector[index] ?? 0);
  return dot * scale;
}

export function dequantize(buffer: Uint8Array): Float32Array {
  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const scale = view.readFloatLE(0);
  const vector = new Float32Array((view.length - 4) / 2);
  // Through a typed view where the bytes allow it: a search reads a few hundred vectors, and a
  // call per component cost about as much as the read itself.
  const components = componentsOf(buffer);
  if (components === undefined) {
    for (let index = 0; index < vector.length; index += 1) vector[index] = view.readInt16LE(4 + index * 2) * scale;
    return vector;
  }
  for (let index = 0; index < vector.length; index += 1) vector[index] = (components[index] as number) * scale;
  return vector;
}
