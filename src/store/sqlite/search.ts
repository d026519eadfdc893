import type { SearchMethods } from "../core/composed-store.js";
import { bytes, number, oneOf, rowOf, text } from "../core/decode.js";
import { COMMON_WORD_MIN_DOCUMENTS, COMMON_WORD_SHARE, EXACT_SEARCH_LIMIT } from "../core/tuning.js";
import { MEMORY_TYPES, type MemoryScope, type ScoredId } from "../types.js";
import { BOUND_LIST, boundList } from "./bound-list.js";
import { placeholders, vectorBlob, type SqliteConnection } from "./connection.js";
import { cubeTag, termsOf } from "./cube-terms.js";
import { scopeSql } from "./filter-sql.js";
import { dequantize, dotCompact } from "./quantize.js";
import { TermCounts } from "./term-counts.js";
import type { Neighbour } from "./vector-index.js";

const compactRow = rowOf("memories", { id: text, vector_q: bytes });
const typedCompactRow = rowOf("memories", { id: text, memory_type: oneOf(MEMORY_TYPES), vector_q: bytes });
const distanceRow = rowOf("memory_vectors", { id: text, distance: number });
const rankRow = rowOf("memory_words", { id: text, rank: number });
const ftsRankRow = rowOf("memory_words", { rowid: number, rank: number });
const scopedRow = rowOf("memories", { rowid: number, id: text });

/**
 * Keyword hits are ranked by FTS5 alone, this many times over the number asked for, before the
 * memory rows are read: the scope (status, types) is then checked on those rows only, not on every
 * document holding a query word (see searchKeywords).
 */
const KEYWORD_OVERFETCH = 2;
const KEYWORD_OVERFETCH_EXTRA = 20;

/** FTS5 sees user words only as quoted strings, never as query syntax. */
function quoteWord(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}

type Nearest = { id: string; distance: number };

function nearestOf(rows: readonly { id: string; vector_q: Buffer }[], vector: Float32Array, limit: number): Nearest[] {
  return rows
    .map((row) => ({ id: row.id, distance: 1 - dotCompact(row.vector_q, vector) }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, limit);
}

/** Vector and keyword search, and the word counts that weigh keywords. */
export class SqliteSearch implements SearchMethods {
  private readonly terms: TermCounts;

  constructor(private readonly conn: SqliteConnection) {
    this.terms = new TermCounts(conn.db);
  }

  async hasMemories(scope: MemoryScope): Promise<boolean> {
    const where = scopeSql(scope);
    return this.conn.read(`SELECT 1 FROM memories m WHERE ${where.sql} LIMIT 1`).get(...where.params) !== undefined;
  }

  async searchVectors(scope: MemoryScope, vector: Float32Array, limit: number): Promise<ScoredId[]> {
    if (!this.conn.hasVectorTable || limit < 1) return [];
    const rows = this.vectorSearch(scope, vector, limit);
    return rows.map((row) => ({ id: row.id, score: 1 - row.distance }));
  }

  /**
   * The cheapest exact-enough way for the scope: a narrow scope (a filter, or a rare memory type)
   * is scanned on the rows' compact vectors; a whole large cube goes to its HNSW index; the rest to
   * sqlite-vec's exact search.
   */
  private vectorSearch(scope: MemoryScope, vector: Float32Array, limit: number): Nearest[] {
    const narrowed = scope.filter !== undefined || (scope.memoryTypes !== undefined && !scope.memoryTypes.includes("UserMemory"));
    if (narrowed) {
      const rows = this.scopeVectors(scope, EXACT_SEARCH_LIMIT + 1);
      if (rows.length <= EXACT_SEARCH_LIMIT) return nearestOf(rows, vector, limit);
      return scope.filter ? this.scanVectors(scope, vector, limit) : this.nearestVectors(scope, vector, limit);
    }
    // Over-fetch: the candidates are re-scored, and rows deleted by another process or of types
    // outside the scope are dropped. 3× + 30 (120 rows for a search's 30) re-scores 40 % fewer rows
    // than the earlier 5× + 50 and measured the same: recall@10 and @30 against exact search 0.999
    // on 20,000 real-chat memories, and the same answers for 300 questions.
    const neighbours = this.conn.ann.nearest(scope.cubeId, vector, limit * 3 + 30);
    if (!neighbours) return this.nearestVectors(scope, vector, limit);
    return this.activeInScope(scope, neighbours, vector).slice(0, limit);
  }

  private scopeVectors(scope: MemoryScope, limit: number): { id: string; vector_q: Buffer }[] {
    const where = scopeSql(scope);
    return this.conn
      .read(`SELECT m.id, m.vector_q FROM memories m WHERE ${where.sql} AND m.vector_q IS NOT NULL LIMIT ?`)
      .all(...where.params, limit)
      .map(compactRow);
  }

  /**
   * The index's candidates that are still active and in the scope, re-scored on the rows' compact
   * vectors: the index's own int8 scale is coarse for unit vectors, the per-row scale is not.
   */
  private activeInScope(scope: MemoryScope, neighbours: readonly Neighbour[], vector: Float32Array): Nearest[] {
    if (neighbours.length === 0) return [];
    const rows = this.conn
      .read(
        `SELECT id, memory_type, vector_q FROM memories
         WHERE rowid IN ${BOUND_LIST} AND status = 'activated' AND vector_q IS NOT NULL`,
      )
      .all(boundList(neighbours.map((neighbour) => neighbour.rowid)))
      .map(typedCompactRow);
    const inScope = rows.filter((row) => !scope.memoryTypes || scope.memoryTypes.includes(row.memory_type));
    return nearestOf(inScope, vector, inScope.length);
  }

  /** Index search inside the cube's partition (types are a vec0 metadata column). */
  private nearestVectors(scope: MemoryScope, vector: Float32Array, limit: number): Nearest[] {
    const types = scope.memoryTypes ?? [];
    const typeClause = types.length > 0 ? ` AND memory_type IN (${placeholders(types.length)})` : "";
    return this.conn
      .read(
        `SELECT m.id, v.distance FROM (
           SELECT rowid, distance FROM memory_vectors
           WHERE embedding MATCH ? AND k = ? AND cube_id = ?${typeClause}
         ) v JOIN memories m ON m.rowid = v.rowid
         WHERE m.status = 'activated'
         ORDER BY v.distance`,
      )
      .all(vectorBlob(vector), Math.min(limit, 4096), scope.cubeId, ...types)
      .map(distanceRow);
  }

  /** Exact scan over the memories a filter selects, so that a narrow filter still finds its rows. */
  private scanVectors(scope: MemoryScope, vector: Float32Array, limit: number): Nearest[] {
    const where = scopeSql(scope);
    return this.conn
      .read(
        `SELECT m.id, vec_distance_cosine(v.embedding, ?) AS distance
         FROM memories m JOIN memory_vectors v ON v.rowid = m.rowid
         WHERE ${where.sql} ORDER BY distance LIMIT ?`,
      )
      .all(vectorBlob(vector), ...where.params, limit)
      .map(distanceRow);
  }

  async searchKeywords(scope: MemoryScope, words: readonly string[], limit: number): Promise<ScoredId[]> {
    const tag = cubeTag(scope.cubeId);
    const terms = [...new Set(words.flatMap((word) => termsOf(tag, word)))];
    if (terms.length === 0 || limit < 1) return [];
    const searched = this.selectiveTerms(tag, terms);
    if (searched.length === 0) return [];
    const match = searched.map(quoteWord).join(" OR ");
    const rows = scope.filter ? undefined : this.rankedThenScoped(scope, match, limit);
    return (rows ?? this.rankedInScope(scope, match, limit)).map((row) => ({ id: row.id, score: -row.rank }));
  }

  /**
   * BM25's best documents first, then their rows: the terms are tagged with the cube, so FTS5
   * matches the cube's documents only, and joining every match with its memory row (for status and
   * type) cost about as much as the match itself (1.5 ms of 2.3 at 20,000 real-chat memories). When
   * too few of the over-fetched are in the scope, undefined: the caller joins them all.
   */
  private rankedThenScoped(scope: MemoryScope, match: string, limit: number): { id: string; rank: number }[] | undefined {
    const fetched = limit * KEYWORD_OVERFETCH + KEYWORD_OVERFETCH_EXTRA;
    const ranked = this.conn
      .read(`SELECT rowid, bm25(memory_words) AS rank FROM memory_words WHERE memory_words MATCH ? ORDER BY rank LIMIT ?`)
      .all(match, fetched)
      .map(ftsRankRow);
    if (ranked.length === 0) return [];
    const where = scopeSql(scope);
    const ids = new Map(
      this.conn
        .read(`SELECT m.rowid, m.id FROM memories m WHERE m.rowid IN ${BOUND_LIST} AND ${where.sql}`)
        .all(boundList(ranked.map((row) => row.rowid)), ...where.params)
        .map(scopedRow)
        .map((row) => [row.rowid, row.id] as const),
    );
    const inScope = ranked.flatMap((row) => {
      const id = ids.get(row.rowid);
      return id === undefined ? [] : [{ id, rank: row.rank }];
    });
    if (inScope.length < limit && ranked.length === fetched) return undefined;
    return inScope.slice(0, limit);
  }

  private rankedInScope(scope: MemoryScope, match: string, limit: number): { id: string; rank: number }[] {
    const where = scopeSql(scope);
    return this.conn
      .read(
        `SELECT m.id, bm25(memory_words) AS rank FROM memory_words JOIN memories m ON m.rowid = memory_words.rowid
         WHERE memory_words MATCH ? AND ${where.sql} ORDER BY rank LIMIT ?`,
      )
      .all(match, ...where.params, limit)
      .map(rankRow);
  }

  /**
   * The terms worth matching: those in few enough of the cube's documents. A term in most of them
   * tells little and would make BM25 score a large part of the cube; it still weighs in the
   * keyword coverage of the candidates the other terms and the vectors find.
   */
  private selectiveTerms(tag: string, terms: readonly string[]): string[] {
    const counts = this.termCounts([tag, ...terms]);
    const documents = counts.get(tag) ?? 0;
    const ceiling = Math.max(COMMON_WORD_MIN_DOCUMENTS, documents * COMMON_WORD_SHARE);
    return terms.filter((term) => (counts.get(term) ?? 0) > 0 && (counts.get(term) ?? 0) <= ceiling);
  }

  private termCounts(terms: readonly string[]): Map<string, number> {
    return this.terms.of(terms);
  }

  async wordFrequencies(cubeId: string, words: readonly string[]): Promise<{ documents: number; frequencies: Map<string, number> }> {
    const tag = cubeTag(cubeId);
    const termsByWord = new Map(words.map((word) => [word, termsOf(tag, word)]));
    const counts = this.termCounts([tag, ...[...termsByWord.values()].flat()]);
    const frequencies = new Map<string, number>();
    // A word indexed as several terms (x.com) is as frequent as its rarest part.
    for (const [word, terms] of termsByWord) frequencies.set(word, Math.min(...terms.map((term) => counts.get(term) ?? 0)));
    return { documents: counts.get(tag) ?? 0, frequencies };
  }

  async vectorsOf(memoryIds: readonly string[]): Promise<Map<string, Float32Array>> {
    const result = new Map<string, Float32Array>();
    if (memoryIds.length === 0) return result;
    const rows = this.conn
      .read(`SELECT id, vector_q FROM memories WHERE id IN ${BOUND_LIST} AND vector_q IS NOT NULL`)
      .all(boundList(memoryIds))
      .map(compactRow);
    for (const row of rows) result.set(row.id, dequantize(row.vector_q));
    return result;
  }
}
