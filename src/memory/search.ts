import { embedQueries } from "../embed/index.js";
import { MEMORY_TYPES, type MemoryFilter, type MemoryRecord, type MemoryScope, type MemoryType } from "../store/types.js";
import type { MemoryContext } from "./context.js";
import { requireReadable } from "./cubes.js";
import { widenRecall } from "./recall/index.js";
import { adviceContext } from "./recall/advice-context.js";
import { asksForAdvice } from "./recall/advice-request.js";
import { STATED_PREFERENCE_TYPE, statedPreferences } from "./recall/preferences.js";
import { nearestUserMessages } from "./recall/user-message-pool.js";
import { boost, cosine, dropDuplicates, fuse, idf, jaccard, keywordCoverage, mmr } from "./rank.js";
import { vectorScaleOf, type VectorScale } from "./vector-scale.js";
import { queryWordsOf, stem, stemmedWordSet } from "./words.js";

export type Dedup = "mmr" | "sim" | "no";

export interface SearchOptions {
  topK: number;
  sessionId?: string;
  /** Memories below this relevance are left out (0: none). */
  minRelevance: number;
  dedup: Dedup;
  filter?: MemoryFilter;
  /**
   * Chat: for an advice request, also the cube's user messages nearest the query by vector
   * (recall/advice-context.ts), which it shows among the facts whatever their relevance.
   */
  adviceContext?: boolean;
}

export interface SearchRequest extends SearchOptions {
  userId: string;
  query: string;
  cubeIds: readonly string[];
  memoryTypes: readonly MemoryType[];
  includePreference: boolean;
  preferenceTopK: number;
  /** Aborts the search (its client has gone): the query's embedding is dropped. */
  signal?: AbortSignal;
}

export interface ScoredMemory {
  memory: MemoryRecord;
  relevance: number;
  /** Listed as a preference: a PreferenceMemory, or a user's message stating one (fast mode). */
  preference?: boolean;
}

export interface CubeMemories {
  cubeId: string;
  memories: ScoredMemory[];
}

/** One cube's hits: `text_mem`, `pref_mem`, and an advice request's nearest user messages (when asked). */
export interface CubeHits {
  text: ScoredMemory[];
  preference: ScoredMemory[];
  /** The user's messages nearest an advice request, nearest first (SearchOptions.adviceContext). */
  adviceContext: ScoredMemory[];
}

export interface SearchResult {
  text: CubeMemories[];
  preference: CubeMemories[];
}

/** A query, embedded and segmented once, searched in any number of cubes. */
export interface PreparedQuery {
  /** The question as asked; only queries that have it go through the reranker. */
  text?: string;
  /** The query's content words (stop words left out), stemmed: what relevance is computed on. */
  words: string[];
  /** What the keyword index is asked for: the words as written and their stems (see indexWordsOf). */
  searchWords?: string[];
  vector: Float32Array | undefined;
  /** How the embedder's similarities become relevance (the default scale when absent). */
  scale?: VectorScale;
}

const SESSION_BOOST = 0.1;
/** The share of a question's relevance its reply gets. */
const REPLY_SHARE = 0.9;
/**
 * The share the turn after any other relevant turn gets: it often continues it ("Sure, booked for
 * seven"). Below half, so that a neighbour alone never reaches chat's default threshold (0.5).
 */
const NEXT_TURN_SHARE = 0.4;
/** Follow-ups (see addFollowUps): from a best hit this relevant, by its rarest words, below it by this share. */
const FOLLOW_UP_MIN_RELEVANCE = 0.3;
const FOLLOW_UP_WORDS = 3;
/** Only words this rare in the cube (idf; 3 ≈ in under 5 % of its memories) say what a story is about. */
const FOLLOW_UP_MIN_IDF = 3;
const FOLLOW_UP_CANDIDATES = 10;
const FOLLOW_UP_SHARE = 0.85;
/** Replies are looked up for questions among this many best candidates (a lookup each). */
const REPLY_SCAN = 15;
const MMR_LAMBDA = 0.85;
const DUPLICATE_SIMILARITY = 0.95;
const MIN_CANDIDATES = 30;

/** Beyond this many distinct words a query adds noise, not precision (and costs a lookup each). */
const MAX_QUERY_WORDS = 64;

/** The query's vector and how the embedder's similarities become relevance. */
type QueryVector = Pick<PreparedQuery, "vector" | "scale">;

/**
 * A query whose embedding is still being computed (in the encoder's thread): its keyword recall
 * and word weights run meanwhile on the request thread, and its vector joins when it is there.
 */
export interface PendingQuery extends Omit<PreparedQuery, "vector" | "scale"> {
  embedded: Promise<QueryVector>;
}

/** Segments the query and starts its embedding, without waiting for it. */
export function startQuery(context: MemoryContext, query: string, signal?: AbortSignal): PendingQuery {
  if (!context.embedder.represents(query)) return { text: query, ...keywordQuery(query), embedded: Promise.resolve({ vector: undefined }) };
  const embedded = (async (): Promise<QueryVector> => {
    const vectors = await embedQueries(context.embedder, [query], signal ? { signal } : {});
    // After the query's own embedding, so that a failing service fails the search as it did before.
    const scale = await vectorScaleOf(context.embedder);
    return { vector: vectors[0], scale };
  })();
  // Every search of the query awaits it (see searchWithPreferences); until then a failure is not unhandled.
  embedded.catch(() => undefined);
  return { text: query, ...keywordQuery(query), embedded };
}

export async function prepareQuery(context: MemoryContext, query: string, signal?: AbortSignal): Promise<PreparedQuery> {
  const { embedded, ...words } = startQuery(context, query, signal);
  return { ...words, ...(await embedded) };
}

/** The query's vector, once it is there. */
async function embeddedOf(query: PreparedQuery | PendingQuery): Promise<PreparedQuery> {
  if (!("embedded" in query)) return query;
  const { embedded, ...words } = query;
  return { ...words, ...(await embedded) };
}

/** A text's words as a query: stemmed for scoring, as written and stemmed for the index. */
export function keywordQuery(text: string): { words: string[]; searchWords: string[] } {
  const written = queryWordsOf(text).slice(0, MAX_QUERY_WORDS);
  const words = [...new Set(written.map(stem))];
  return { words, searchWords: [...new Set([...written, ...words])] };
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

/** Memories read for ranking, with their vectors and words. */
interface Fetched {
  memories: Map<string, MemoryRecord>;
  vectors: Map<string, Float32Array>;
  words: Map<string, Set<string>>;
}

async function fetchCandidates(context: MemoryContext, ids: readonly string[], into?: Fetched): Promise<Fetched> {
  const fetched = into ?? { memories: new Map(), vectors: new Map(), words: new Map() };
  const missing = ids.filter((id) => !fetched.memories.has(id));
  if (missing.length === 0) return fetched;
  const [memories, vectors] = await Promise.all([context.store.getMemories(missing), context.store.vectorsOf(missing)]);
  for (const memory of memories) {
    fetched.memories.set(memory.id, memory);
    fetched.words.set(memory.id, stemmedWordSet(memory.text));
  }
  for (const [id, vector] of vectors) fetched.vectors.set(id, vector);
  return fetched;
}

/**
 * Both channels' candidates: keyword recall starts at once, vector recall once the query's vector
 * is there. Keyword recall, and the reading of its hits, overlap the embedding (the request thread
 * waits for the encoder's thread meanwhile); only the vector channel's other hits are read after it.
 */
async function recall(
  context: MemoryContext,
  pending: PreparedQuery | PendingQuery,
  scope: MemoryScope,
  limit: number,
): Promise<{ query: PreparedQuery; similarities: Map<string, number | undefined>; fetched: Fetched }> {
  const byWords = context.store.searchKeywords(scope, pending.searchWords ?? pending.words, limit);
  const wordsRead = byWords.then((hits) =>
    fetchCandidates(
      context,
      hits.map((hit) => hit.id),
    ),
  );
  const byVector = embeddedOf(pending).then(async (query) => ({
    query,
    hits: query.vector ? await context.store.searchVectors(scope, query.vector, limit) : [],
  }));
  const [words, { query, hits }, read] = await Promise.all([byWords, byVector, wordsRead]);
  const similarities = new Map<string, number | undefined>(hits.map((hit) => [hit.id, hit.score]));
  for (const hit of words) if (!similarities.has(hit.id)) similarities.set(hit.id, undefined);
  return { query, similarities, fetched: await fetchCandidates(context, [...similarities.keys()], read) };
}

/** Hybrid search in one cube: vector and keyword recall, fused to a relevance, then de-duplicated. */
export async function searchScope(
  context: MemoryContext,
  query: PreparedQuery | PendingQuery,
  scope: MemoryScope,
  options: SearchOptions,
): Promise<ScoredMemory[]> {
  return (await searchWithPreferences(context, query, scope, options, 0)).text;
}

/**
 * The text hits of a cube (the memory types asked for) and its preferences: the `PreferenceMemory`
 * items fine mode extracted (searched in a scope of their own, as few as they are), and the user's
 * messages among the text candidates that state a preference (fast mode: one memory, listed in
 * both). A memory keeps its one relevance in both lists, never raised for being a preference. An
 * advice request also looks among the cube's user messages nearest it by vector (one lookup, for
 * its stated preferences and, when asked, its nearest messages themselves).
 */
export async function searchWithPreferences(
  context: MemoryContext,
  query: PreparedQuery | PendingQuery,
  scope: MemoryScope,
  options: SearchOptions,
  preferenceTopK: number,
): Promise<CubeHits> {
  const asked = scope.memoryTypes;
  const withPreferences = preferenceTopK > 0;
  const types = withPreferences && asked ? [...new Set([...asked, STATED_PREFERENCE_TYPE])] : asked;
  const [ranked, extracted, embedded] = await Promise.all([
    rankScope(context, query, { ...scope, memoryTypes: types }, options),
    withPreferences ? rankScope(context, query, { ...scope, memoryTypes: ["PreferenceMemory"] }, options) : Promise.resolve([]),
    // Even a cube with nothing to rank waits for the query's embedding: a failing embedder fails the search.
    embeddedOf(query),
  ]);
  const text = ranked.filter((candidate) => !asked || asked.includes(candidate.memory.memoryType));
  const advice = embedded.text !== undefined && asksForAdvice(embedded.text);
  const withContext = advice && options.adviceContext === true;
  // The wider pool is one more vector lookup per search: only advice requests pay for it.
  const pool = advice && (withPreferences || withContext) ? await nearestUserMessages(context, embedded, { ...scope, memoryTypes: types }) : [];
  const stated = withPreferences ? await statedPreferences({ context, query: embedded, ranked, advice, pool }) : [];
  const nearest = withContext ? await adviceContext({ context, query: embedded, ranked, pool }) : [];
  const preference = [...extracted, ...stated].sort((a, b) => b.relevance - a.relevance);
  const present = (picked: Candidate[], asPreference: boolean) =>
    picked.map(({ memory, relevance }) => ({ memory, relevance: Math.round(relevance * 1e4) / 1e4, ...(asPreference && { preference: true }) }));
  return {
    text: present(deduplicate(text, options), false),
    preference: present(deduplicate(preference, { ...options, topK: preferenceTopK }), true),
    adviceContext: present(nearest, false),
  };
}

/** The cube's candidates above the cut, best first (reranked when a reranker is configured). */
async function rankScope(context: MemoryContext, pending: PreparedQuery | PendingQuery, scope: MemoryScope, options: SearchOptions): Promise<Candidate[]> {
  if (scope.memoryTypes?.length === 0 || !(await context.store.hasMemories(scope))) return [];
  const [{ query, similarities, fetched }, weights] = await Promise.all([
    recall(context, pending, scope, Math.max(options.topK * 3, MIN_CANDIDATES)),
    wordWeights(context, scope.cubeId, pending.words),
  ]);
  if (similarities.size === 0) return [];
  // In recall's order (the vector channel's hits first), as the ties below are broken by it.
  const memories = [...similarities.keys()].flatMap((id) => fetched.memories.get(id) ?? []).filter((memory) => memory.status === "activated");
  const candidates: Candidate[] = memories.map((memory) => {
    const vector = fetched.vectors.get(memory.id);
    const words = fetched.words.get(memory.id) ?? new Set<string>();
    const similarity = query.vector && vector ? (similarities.get(memory.id) ?? cosine(query.vector, vector)) : undefined;
    const inSession = options.sessionId !== undefined && memory.sessionId === options.sessionId;
    const relevance = fuse(query.vector ? (similarity ?? 0) : undefined, keywordCoverage(query.words, weights, words), query.scale);
    // The boost lifts relevant memories of the session, never irrelevant ones above zero.
    return { memory, relevance: inSession && relevance > 0 ? boost(relevance, SESSION_BOOST) : relevance, inSession, words, vector };
  });
  await addReplies(context, query, scope, candidates, REPLY_SCAN);
  await addFollowUps(context, query, scope, candidates);
  await widenRecall({ context, query, scope, candidates, weights, ...(options.sessionId !== undefined && { sessionId: options.sessionId }) });
  // Ties (common at the top, where both channels agree fully) go to the session, then to the newer.
  const ranked = candidates
    .filter((candidate) => candidate.relevance > 0 && candidate.relevance >= options.minRelevance)
    .sort((a, b) => b.relevance - a.relevance || Number(b.inSession) - Number(a.inSession) || b.memory.chatTime.localeCompare(a.memory.chatTime));
  return context.reranker && query.text !== undefined ? await context.reranker.reorder(query.text, ranked, options.minRelevance) : ranked;
}

const QUESTION = /[?？]\s*$/u;

/**
 * A question found relevant lends its relevance (in part) to the message that answers it: "Where
 * did you end up?" – "Elm Park, top floor" shares no word with "Where is Omar's new flat?" but
 * answers it. The reply joins the candidates (or rises) just below its question.
 */
async function addReplies(context: MemoryContext, query: PreparedQuery, scope: MemoryScope, candidates: Candidate[], scan: number): Promise<void> {
  // A filter cannot be checked here: replies are only added to unfiltered searches.
  if (scope.filter) return;
  const questions = [...candidates]
    .sort((a, b) => b.relevance - a.relevance)
    .slice(0, scan)
    .filter((candidate) => candidate.relevance > 0 && candidate.memory.source === "conversation");
  const asked = new Map<string, Candidate>();
  for (const candidate of questions) {
    const messageId = candidate.memory.sources.at(-1)?.messageId;
    if (messageId !== undefined && !asked.has(messageId)) asked.set(messageId, candidate);
  }
  if (asked.size === 0) return;
  const following = await context.store.followingMessages(scope.cubeId, [...asked.keys()]);
  const replyOf = new Map<string, Candidate>();
  for (const [questionId, reply] of following) replyOf.set(reply.messageId, asked.get(questionId) as Candidate);
  const replies = await context.store.memoriesFromMessages(scope.cubeId, [...replyOf.keys()]);
  const byId = new Map(candidates.map((candidate) => [candidate.memory.id, candidate]));
  const types = scope.memoryTypes;
  const vectors = await context.store.vectorsOf(replies.map((memory) => memory.id).filter((id) => !byId.has(id)));
  for (const memory of replies) {
    const question = replyOf.get(memory.sources[0]?.messageId ?? "");
    if (!question || memory.status !== "activated" || (types && !types.includes(memory.memoryType))) continue;
    const fromQuestion = question.relevance * (QUESTION.test(question.memory.text) ? REPLY_SHARE : NEXT_TURN_SHARE);
    const known = byId.get(memory.id);
    if (known) {
      known.relevance = Math.max(known.relevance, fromQuestion);
      continue;
    }
    const added: Candidate = {
      memory,
      relevance: fromQuestion,
      inSession: question.inSession,
      words: stemmedWordSet(memory.text),
      vector: vectors.get(memory.id),
    };
    candidates.push(added);
    byId.set(memory.id, added);
  }
}

/**
 * Query expansion from the best hit, no model needed (pseudo-relevance feedback): its rarest words
 * find the memories that continue its story in other sessions. "Which hobbies has Elena tried?"
 * finds "Thinking about Italian" by meaning; "Italian didn't work out, so I switched to jazz piano"
 * shares no word with the query but "italian" with that hit. They rank below the hit.
 */
async function addFollowUps(context: MemoryContext, query: PreparedQuery, scope: MemoryScope, candidates: Candidate[]): Promise<void> {
  if (scope.filter) return;
  const top = candidates.reduce<Candidate | undefined>(
    (best, candidate) => (best === undefined || candidate.relevance > best.relevance ? candidate : best),
    undefined,
  );
  if (!top || top.relevance < FOLLOW_UP_MIN_RELEVANCE) return;
  const asked = new Set(query.words);
  const pool = [...top.words].filter((word) => !asked.has(word) && word.length >= 4 && !/^\d+$/.test(word));
  const { documents, frequencies } = await context.store.wordFrequencies(scope.cubeId, pool);
  const weights = new Map(pool.map((word) => [word, idf(Math.max(documents, 1), frequencies.get(word) ?? 0)]));
  // A word of the hit alone leads nowhere: only words found in other memories too, rarest first.
  const expansion = pool
    .filter((word) => (frequencies.get(word) ?? 0) >= 2 && (weights.get(word) ?? 0) >= FOLLOW_UP_MIN_IDF)
    .sort((a, b) => (weights.get(b) ?? 0) - (weights.get(a) ?? 0))
    .slice(0, FOLLOW_UP_WORDS);
  if (expansion.length === 0) return;
  const hits = (await context.store.searchKeywords(scope, expansion, FOLLOW_UP_CANDIDATES)).map((hit) => hit.id).filter((id) => id !== top.memory.id);
  const known = new Map(candidates.map((candidate) => [candidate.memory.id, candidate]));
  const relevanceFromTop = (words: ReadonlySet<string>) => top.relevance * FOLLOW_UP_SHARE * keywordCoverage(expansion, weights, words);
  for (const id of hits) {
    const candidate = known.get(id);
    if (candidate) candidate.relevance = Math.max(candidate.relevance, relevanceFromTop(candidate.words));
  }
  const fresh = await context.store.getMemories(hits.filter((id) => !known.has(id)));
  const vectors = await context.store.vectorsOf(fresh.map((memory) => memory.id));
  for (const memory of fresh) {
    if (memory.status !== "activated" || (scope.memoryTypes && !scope.memoryTypes.includes(memory.memoryType))) continue;
    const words = stemmedWordSet(memory.text);
    candidates.push({ memory, relevance: relevanceFromTop(words), inSession: false, words, vector: vectors.get(memory.id) });
  }
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
      return mmr(ranked, similarityOf, { lambda: MMR_LAMBDA, duplicate: DUPLICATE_SIMILARITY, limit: options.topK }).sort((a, b) => b.relevance - a.relevance);
  }
}

const TEXT_TYPES: readonly MemoryType[] = ["WorkingMemory", "LongTermMemory", "UserMemory"];

/** `search_memory_type` → the types searched for `text_mem` ("All": everything but preferences). */
/**
 * The memory types a `search_memory_type` names: "All" is every text type; a memcube type itself;
 * any other name (MemOS's SkillMemory, ToolSchemaMemory, OuterMemory, ...) none, as memcube holds none.
 */
export function textMemoryTypes(searchType: string): readonly MemoryType[] {
  if (searchType === "All") return TEXT_TYPES;
  return (MEMORY_TYPES as readonly string[]).includes(searchType) ? [searchType as MemoryType] : [];
}

/** Searches every readable cube; one bucket per cube, in the order asked. */
export async function searchMemories(context: MemoryContext, request: SearchRequest): Promise<SearchResult> {
  await requireReadable(context, request.userId, request.cubeIds);
  const query = startQuery(context, request.query, request.signal);
  const perCube = await Promise.all(
    request.cubeIds.map(async (cubeId) => ({
      cubeId,
      // No type asked for is a kind this cube cannot hold (e.g. MemOS's SkillMemory): no text to find.
      hits: await searchWithPreferences(
        context,
        query,
        { cubeId, memoryTypes: request.memoryTypes, filter: request.filter },
        request,
        request.includePreference ? request.preferenceTopK : 0,
      ),
    })),
  );
  await query.embedded; // with no cube to search too, a failing embedder fails the search
  return {
    text: perCube.map(({ cubeId, hits }) => ({ cubeId, memories: hits.text })),
    preference: request.includePreference ? perCube.map(({ cubeId, hits }) => ({ cubeId, memories: hits.preference })) : [],
  };
}
