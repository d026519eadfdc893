import { embedQueries } from "../embed/index.js";
import type { MemoryFilter, MemoryRecord, MemoryScope, MemoryType } from "../store/types.js";
import type { MemoryContext } from "./context.js";
import { requireReadable } from "./cubes.js";
import { boost, cosine, dropDuplicates, fuse, idf, jaccard, keywordCoverage, mmr } from "./rank.js";
import { queryWordsOf, wordsOf } from "./words.js";

export type Dedup = "mmr" | "sim" | "no";

export interface SearchOptions {
  topK: number;
  sessionId?: string;
  /** Memories below this relevance are left out (0: none). */
  minRelativity: number;
  dedup: Dedup;
  filter?: MemoryFilter;
}

export interface SearchRequest extends SearchOptions {
  userId: string;
  query: string;
  cubeIds: readonly string[];
  memoryTypes: readonly MemoryType[];
  includePreference: boolean;
  preferenceTopK: number;
}

export interface ScoredMemory {
  memory: MemoryRecord;
  relativity: number;
}

export interface CubeMemories {
  cubeId: string;
  memories: ScoredMemory[];
}

export interface SearchResult {
  text: CubeMemories[];
  preference: CubeMemories[];
}

/** A query, embedded and segmented once, searched in any number of cubes. */
export interface PreparedQuery {
  /** The question as asked; only queries that have it go through the reranker. */
  text?: string;
  words: string[];
  vector: Float32Array | undefined;
}

const SESSION_BOOST = 0.1;
const MMR_LAMBDA = 0.85;
const DUPLICATE_SIMILARITY = 0.95;
const MIN_CANDIDATES = 30;

/** Beyond this many distinct words a query adds noise, not precision (and costs a lookup each). */
const MAX_QUERY_WORDS = 64;

export async function prepareQuery(context: MemoryContext, query: string): Promise<PreparedQuery> {
  const words = queryWordsOf(query).slice(0, MAX_QUERY_WORDS);
  const vector = context.embedder.represents(query) ? (await embedQueries(context.embedder, [query]))[0] : undefined;
  return { text: query, words, vector };
}

/** Rare words of the cube weigh more; counted in the cube searched, never across users. */
async function wordWeights(context: MemoryContext, cubeId: string, words: readonly string[]): Promise<Map<string, number>> {
  const { documents, frequencies } = await context.store.wordFrequencies(cubeId, words);
  return new Map(words.map((word) => [word, idf(Math.max(documents, 1), frequencies.get(word) ?? 0)]));
}

interface Candidate extends ScoredMemory {
  inSession: boolean;
  words: Set<string>;
  vector: Float32Array | undefined;
}

async function recall(context: MemoryContext, query: PreparedQuery, scope: MemoryScope, limit: number): Promise<Map<string, number | undefined>> {
  const [byVector, byWords] = await Promise.all([
    query.vector ? context.store.searchVectors(scope, query.vector, limit) : Promise.resolve([]),
    context.store.searchKeywords(scope, query.words, limit),
  ]);
  const similarities = new Map<string, number | undefined>(byVector.map((hit) => [hit.id, hit.score]));
  for (const hit of byWords) if (!similarities.has(hit.id)) similarities.set(hit.id, undefined);
  return similarities;
}

/** Hybrid search in one cube: vector and keyword recall, fused to a relevance, then de-duplicated. */
export async function searchScope(
  context: MemoryContext,
  query: PreparedQuery,
  scope: MemoryScope,
  options: SearchOptions,
): Promise<ScoredMemory[]> {
  if (!(await context.store.hasMemories(scope))) return [];
  const similarities = await recall(context, query, scope, Math.max(options.topK * 3, MIN_CANDIDATES));
  if (similarities.size === 0) return [];
  const ids = [...similarities.keys()];
  const [found, vectors, weights] = await Promise.all([
    context.store.getMemories(ids),
    context.store.vectorsOf(ids),
    wordWeights(context, scope.cubeId, query.words),
  ]);
  const memories = found.filter((memory) => memory.status === "activated");
  const candidates: Candidate[] = memories.map((memory) => {
    const vector = vectors.get(memory.id);
    const words = new Set(wordsOf(memory.text));
    const similarity = query.vector && vector ? (similarities.get(memory.id) ?? cosine(query.vector, vector)) : undefined;
    const inSession = options.sessionId !== undefined && memory.sessionId === options.sessionId;
    const relevance = fuse(query.vector ? (similarity ?? 0) : undefined, keywordCoverage(query.words, weights, words));
    // The boost lifts relevant memories of the session, never irrelevant ones above zero.
    return { memory, relativity: inSession && relevance > 0 ? boost(relevance, SESSION_BOOST) : relevance, inSession, words, vector };
  });
  // Ties (common at the top, where both channels agree fully) go to the session, then to the newer.
  const ranked = candidates
    .filter((candidate) => candidate.relativity > 0 && candidate.relativity >= options.minRelativity)
    .sort(
      (a, b) =>
        b.relativity - a.relativity ||
        Number(b.inSession) - Number(a.inSession) ||
        b.memory.chatTime.localeCompare(a.memory.chatTime),
    );
  const reranked = context.reranker && query.text !== undefined ? await context.reranker.reorder(query.text, ranked, options.minRelativity) : ranked;
  const picked = deduplicate(reranked, options);
  return picked.map(({ memory, relativity }) => ({ memory, relativity: Math.round(relativity * 1e4) / 1e4 }));
}

function similarityOf(a: Candidate, b: Candidate): number {
  if (a.memory.text === b.memory.text) return 1;
  return a.vector && b.vector ? cosine(a.vector, b.vector) : jaccard(a.words, b.words);
}

function deduplicate(ranked: Candidate[], options: SearchOptions): Candidate[] {
  switch (options.dedup) {
    case "no":
      return ranked.slice(0, options.topK);
    case "sim":
      return dropDuplicates(ranked, similarityOf, DUPLICATE_SIMILARITY, options.topK);
    case "mmr":
      // MMR chooses a diverse set; it is shown best first like every other result.
      return mmr(ranked, similarityOf, { lambda: MMR_LAMBDA, duplicate: DUPLICATE_SIMILARITY, limit: options.topK }).sort(
        (a, b) => b.relativity - a.relativity,
      );
  }
}

const TEXT_TYPES: readonly MemoryType[] = ["WorkingMemory", "LongTermMemory", "UserMemory"];

/** `search_memory_type` → the types searched for `text_mem` ("All": everything but preferences). */
export function textMemoryTypes(searchType: MemoryType | "All"): readonly MemoryType[] {
  return searchType === "All" ? TEXT_TYPES : [searchType];
}

/** Searches every readable cube; one bucket per cube, in the order asked. */
export async function searchMemories(context: MemoryContext, request: SearchRequest): Promise<SearchResult> {
  await requireReadable(context, request.userId, request.cubeIds);
  const query = await prepareQuery(context, request.query);
  const text = await Promise.all(
    request.cubeIds.map(async (cubeId) => ({
      cubeId,
      memories: await searchScope(context, query, { cubeId, memoryTypes: request.memoryTypes, filter: request.filter }, request),
    })),
  );
  const preference = request.includePreference
    ? await Promise.all(
        request.cubeIds.map(async (cubeId) => ({
          cubeId,
          memories: await searchScope(
            context,
            query,
            { cubeId, memoryTypes: ["PreferenceMemory"], filter: request.filter },
            { ...request, topK: request.preferenceTopK },
          ),
        })),
      )
    : [];
  return { text, preference };
}
