import type { SearchMethods } from "../core/composed-store.js";
import { bytes, nullable, number, rowOf, text } from "../core/decode.js";
import { COMMON_WORD_SHARE } from "../core/tuning.js";
import type { MemoryScope, ScoredId } from "../types.js";
import { countOf, HALFVEC_INDEX_MAX, VECTOR_INDEX_MAX, type PostgresConnection } from "./connection.js";
import { Params, scopeSql } from "./filter-sql.js";
import { WordCounts } from "./word-counts.js";

const distanceRow = rowOf("memories", { id: text, distance: number });
const rankRow = rowOf("memories", { id: text, rank: number });
const wordCountRow = rowOf("memories", { word: text, n: number });
const cubeWordCountRow = rowOf("memories", { word: nullable(text), n: number });
const embeddingRow = rowOf("memories", { id: text, embedding: bytes });

/** pgvector's text form, `[0.1,0.2,…]`: exact for float32 components. */
function vectorText(vector: Float32Array): string {
  return `[${Array.prototype.join.call(vector, ",")}]`;
}

/**
 * A vector in pgvector's binary form (`vector_send`): dimension and a reserved word (int16 each),
 * then the float4s, all big-endian. Several times faster to read than the text form.
 */
function decodeVector(bytes: Buffer): Float32Array {
  const dimension = bytes.readUInt16BE(0);
  const vector = new Float32Array(dimension);
  for (let i = 0; i < dimension; i += 1) vector[i] = bytes.readFloatBE(4 + i * 4);
  return vector;
}

/** The distance of `m.embedding` to a bound query vector, as the HNSW index for the dimension computes it. */
function distanceSql(dimension: number, query: string): string {
  if (dimension > VECTOR_INDEX_MAX && dimension <= HALFVEC_INDEX_MAX) {
    return `(m.embedding::halfvec(${dimension}) <=> ${query}::halfvec(${dimension}))`;
  }
  return `(m.embedding <=> ${query}::vector)`;
}

/** The query's words as a tsquery: each bound as a parameter and parsed as plain text, never as tsquery syntax. */
function wordsQuery(words: readonly string[], params: Params): string {
  return `(${words.map((word) => `plainto_tsquery('simple', ${params.add(word)}::text)`).join(" || ")})`;
}

/**
 * Vector and keyword search, and the word counts that weigh keywords. Scopes with at most
 * `exactSearchLimit` vectors are searched exactly; larger ones go to the HNSW index, with
 * pgvector's iterative scan continuing until the cube (and any filter) has let enough rows through;
 * when even that returns too few, the search is done exactly.
 */
export class PostgresSearch implements SearchMethods {
  private readonly wordCounts = new WordCounts();
  /** Counts capped at "common" (see selectiveWords) and recent cube sizes: kept apart from the exact counts. */
  private readonly cappedCounts = new WordCounts();

  constructor(
    private readonly conn: PostgresConnection,
    private readonly exactSearchLimit: number,
    private readonly largeCube: number,
  ) {}

  async hasMemories(scope: MemoryScope): Promise<boolean> {
    const params = new Params();
    const { rowCount } = await this.conn.db.query(`SELECT 1 FROM memories m WHERE ${scopeSql(scope, params)} LIMIT 1`, params.values);
    return rowCount === 1;
  }

  async searchVectors(scope: MemoryScope, vector: Float32Array, limit: number): Promise<ScoredId[]> {
    if (limit < 1) return [];
    const dimension = await this.conn.vectorDimension();
    if (dimension === undefined) return [];
    const counting = new Params();
    const { rows } = await this.conn.db.query(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM memories m WHERE ${scopeSql(scope, counting)} AND m.embedding IS NOT NULL LIMIT ${counting.add(this.exactSearchLimit + 1)}
       ) scope`,
      counting.values,
    );
    const inScope = countOf(rows);
    if (inScope === 0) return [];
    const indexed = dimension <= HALFVEC_INDEX_MAX;
    if (inScope <= this.exactSearchLimit || !indexed) return this.nearest(scope, vector, limit, dimension, "exact");
    const approximate = await this.nearest(scope, vector, limit, dimension, "index");
    // Even an iterative scan gives up after hnsw.max_scan_tuples: then the exact answer.
    if (approximate.length >= Math.min(limit, inScope)) return approximate;
    return this.nearest(scope, vector, limit, dimension, "exact");
  }

  /**
   * The scope's nearest memories. `exact` orders by an expression no index provides, so the scope is
   * read through its b-tree and sorted; `index` lets the planner walk the HNSW index (which pgvector's
   * iterative scan continues past rows the scope rejects), then re-sorts what it found.
   */
  private async nearest(scope: MemoryScope, vector: Float32Array, limit: number, dimension: number, how: "exact" | "index"): Promise<ScoredId[]> {
    const params = new Params();
    const distance = distanceSql(dimension, params.add(vectorText(vector)));
    const where = scopeSql(scope, params);
    const order = how === "exact" ? `${distance} + 0` : distance;
    const { rows } = await this.conn.db.query(
      `SELECT id, distance FROM (
         SELECT m.id, ${distance} AS distance FROM memories m
         WHERE ${where} AND m.embedding IS NOT NULL
         ORDER BY ${order} LIMIT ${params.add(limit)}
       ) nearest ORDER BY distance, id`,
      params.values,
    );
    return rows.map((row) => {
      const nearest = distanceRow(row);
      return { id: nearest.id, score: 1 - nearest.distance };
    });
  }

  async searchKeywords(scope: MemoryScope, words: readonly string[], limit: number): Promise<ScoredId[]> {
    const unique = [...new Set(words.filter((word) => word.trim() !== ""))];
    if (unique.length === 0 || limit < 1) return [];
    const matching = await this.selectiveWords(scope.cubeId, unique);
    const params = new Params();
    const ranking = wordsQuery(unique, params);
    const match = matching.length === unique.length ? ranking : wordsQuery(matching, params);
    const where = scopeSql(scope, params);
    const { rows } = await this.conn.db.query(
      `SELECT m.id, ts_rank(m.words, ${ranking}) AS rank FROM memories m
       WHERE m.words @@ ${match} AND ${where}
       ORDER BY rank DESC, m.seq LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows.map((row) => {
      const ranked = rankRow(row);
      return { id: ranked.id, score: ranked.rank };
    });
  }

  /**
   * The words that choose which memories are ranked. PostgreSQL ranks every memory that holds a
   * query word, and in a large cube a common word is held by thousands: when the query also has
   * rarer words, those alone choose the memories (the common ones still count in their rank), as
   * a memory with nothing but common words of the query is rarely what it asks for.
   */
  private async selectiveWords(cubeId: string, words: readonly string[]): Promise<readonly string[]> {
    if (words.length < 2) return words;
    const documents = await this.cubeSize(cubeId);
    if (documents < this.largeCube) return words;
    const common = Math.ceil(documents * COMMON_WORD_SHARE);
    const counts = new Map<string, number>();
    const uncounted: string[] = [];
    for (const word of words) {
      const known = this.wordCounts.get(cubeId, word) ?? this.cappedCounts.get(cubeId, word);
      if (known === undefined) uncounted.push(word);
      else counts.set(word, known);
    }
    if (uncounted.length > 0) {
      // Counting stops at `common`: all that matters is whether a word reaches it.
      const { rows } = await this.conn.db.query(
        `SELECT w.word, (SELECT count(*)::int FROM (
                           SELECT 1 FROM memories m
                           WHERE m.cube_id = $1 AND m.status = 'activated' AND m.words @@ plainto_tsquery('simple', w.word)
                           LIMIT $3) held) AS n
         FROM unnest($2::text[]) AS w(word)`,
        [cubeId, uncounted, common],
      );
      for (const row of rows.map(wordCountRow)) {
        counts.set(row.word, row.n);
        this.cappedCounts.set(cubeId, row.word, row.n);
      }
    }
    const rare = words.filter((word) => (counts.get(word) ?? 0) < common);
    return rare.length > 0 ? rare : words;
  }

  async wordFrequencies(cubeId: string, words: readonly string[]): Promise<{ documents: number; frequencies: Map<string, number> }> {
    const frequencies = new Map<string, number>();
    // Known only for large cubes: a small cube is counted afresh, its words with it.
    const known = this.wordCounts.get(cubeId);
    const missing = [...new Set(words)].filter((word) => {
      const count = known === undefined ? undefined : this.wordCounts.get(cubeId, word);
      if (count !== undefined) frequencies.set(word, count);
      return count === undefined;
    });
    if (known !== undefined && missing.length === 0) return { documents: known, frequencies };
    const { rows } = await this.conn.db.query(
      `${known === undefined ? "SELECT NULL AS word, count(*)::int AS n FROM memories m WHERE m.cube_id = $1 AND m.status = 'activated' UNION ALL " : ""}
       SELECT w.word, (SELECT count(*)::int FROM memories m
                       WHERE m.cube_id = $1 AND m.status = 'activated' AND m.words @@ plainto_tsquery('simple', w.word))
       FROM unnest($2::text[]) AS w(word)`,
      [cubeId, missing],
    );
    let documents = known ?? 0;
    for (const row of rows.map(cubeWordCountRow)) {
      if (row.word === null) documents = row.n;
      else frequencies.set(row.word, row.n);
    }
    if (documents >= this.largeCube) {
      if (known === undefined) this.wordCounts.set(cubeId, undefined, documents);
      for (const word of missing) this.wordCounts.set(cubeId, word, frequencies.get(word) ?? 0);
    }
    return { documents, frequencies };
  }

  /** The cube's active memories, as of up to a minute ago: enough to tell a large cube from a small one. */
  private async cubeSize(cubeId: string): Promise<number> {
    const known = this.wordCounts.get(cubeId) ?? this.cappedCounts.get(cubeId);
    if (known !== undefined) return known;
    const { rows } = await this.conn.db.query("SELECT count(*)::int AS n FROM memories m WHERE m.cube_id = $1 AND m.status = 'activated'", [cubeId]);
    const count = countOf(rows);
    this.cappedCounts.set(cubeId, undefined, count);
    return count;
  }

  async vectorsOf(memoryIds: readonly string[]): Promise<Map<string, Float32Array>> {
    const result = new Map<string, Float32Array>();
    if (memoryIds.length === 0 || (await this.conn.vectorDimension()) === undefined) return result;
    const { rows } = await this.conn.db.query(
      "SELECT id, vector_send(embedding) AS embedding FROM memories WHERE id = ANY($1::text[]) AND embedding IS NOT NULL",
      [[...memoryIds]],
    );
    for (const row of rows.map(embeddingRow)) result.set(row.id, decodeVector(row.embedding));
    return result;
  }
}
