/** Search tuning shared by both stores: one definition, so the stores rank alike. */

/**
 * In a cube, a word held by this share of its active memories is common: it still weighs in a
 * memory's rank, but does not choose which memories are ranked. SQLite leaves out of the match a
 * term in more than this share (and more than COMMON_WORD_MIN_DOCUMENTS); PostgreSQL, in large
 * cubes, a word in this share or more when the query has rarer words.
 */
export const COMMON_WORD_SHARE = 0.05;

/** SQLite: a word in fewer memories than this is never common, however small the cube. */
export const COMMON_WORD_MIN_DOCUMENTS = 500;

/**
 * Scopes with at most this many vectors are searched exactly, faster there than any index
 * (SQLite: a scan of the rows' compact vectors; PostgreSQL: a sort of the scope's rows, measured
 * at 2,000 512-d vectors ≈ 3 ms against ≈ 4 ms for the HNSW index at 20,000). Larger scopes go to
 * the index.
 */
export const EXACT_SEARCH_LIMIT = 2_000;
