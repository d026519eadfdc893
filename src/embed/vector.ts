/** Scales a vector to unit length (a zero vector stays zero), so cosine similarity is a dot product. */
export function l2Normalise(vector: ArrayLike<number>): Float32Array {
  let sumOfSquares = 0;
  for (let i = 0; i < vector.length; i++) sumOfSquares += (vector[i] ?? 0) ** 2;
  const scale = sumOfSquares > 0 ? 1 / Math.sqrt(sumOfSquares) : 0;
  return Float32Array.from(vector, (value) => value * scale);
}
