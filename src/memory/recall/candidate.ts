/**
 * What the recall mechanisms of this folder share: the candidates of one cube's search as search.ts
 * ranks them, and how a memory they bring in gets its own relevance (the same fusion as the first
 * recall), so that a memory joins no higher than what it shares with the query says, unless a
 * mechanism lends it a share of another candidate's relevance (always below chat's threshold alone).
 */
import type { MemoryRecord, MemoryScope } from "../../store/types.js";
import type { MemoryContext } from "../context.js";
import { cosine, fuse, keywordCoverage } from "../rank.js";
import type { VectorScale } from "../vector-scale.js";
import { stemmedWordSet } from "../words.js";

export interface RecallCandidate {
  memory: MemoryRecord;
  relevance: number;
  inSession: boolean;
  words: Set<string>;
  vector: Float32Array | undefined;
}

export interface RecallQuery {
  text?: string;
  /** Content words, stemmed. */
  words: string[];
  vector: Float32Array | undefined;
  scale?: VectorScale;
}

/** One cube's search, after the first recall: what each mechanism reads and extends. */
export interface RecallRound {
  context: MemoryContext;
  query: RecallQuery;
  scope: MemoryScope;
  candidates: RecallCandidate[];
  /** The query words' idf in the cube (as the first recall weighed them). */
  weights: ReadonlyMap<string, number>;
  sessionId?: string;
}

/** The relevance a memory has by itself: vector and keyword channels fused as in the first recall. */
export function ownRelevance(query: RecallQuery, weights: ReadonlyMap<string, number>, words: ReadonlySet<string>, vector: Float32Array | undefined): number {
  const similarity = query.vector ? (vector ? cosine(query.vector, vector) : 0) : undefined;
  return fuse(similarity, keywordCoverage(query.words, weights, words), query.scale);
}

export function byMemoryId(candidates: readonly RecallCandidate[]): Map<string, RecallCandidate> {
  return new Map(candidates.map((candidate) => [candidate.memory.id, candidate]));
}

/** The best candidates first (a copy). */
export function best(candidates: readonly RecallCandidate[], count: number): RecallCandidate[] {
  return [...candidates].sort((a, b) => b.relevance - a.relevance).slice(0, count);
}

/** Whether a memory fetched by a mechanism may join: active, of a type the scope asks for. */
export function admissible(scope: MemoryScope, memory: MemoryRecord): boolean {
  return memory.status === "activated" && (!scope.memoryTypes || scope.memoryTypes.includes(memory.memoryType));
}

/**
 * Memories a mechanism found, as candidates with their own relevance (one vector lookup for all);
 * those already candidates are returned as they are. New ones are appended to the round's candidates.
 */
export async function join(round: RecallRound, memories: readonly MemoryRecord[]): Promise<RecallCandidate[]> {
  const known = byMemoryId(round.candidates);
  const fresh = memories.filter((memory) => !known.has(memory.id) && admissible(round.scope, memory));
  const vectors = fresh.length > 0 ? await round.context.store.vectorsOf(fresh.map((memory) => memory.id)) : new Map<string, Float32Array>();
  const joined: RecallCandidate[] = [];
  for (const memory of memories) {
    const existing = known.get(memory.id);
    if (existing) {
      joined.push(existing);
      continue;
    }
    if (!admissible(round.scope, memory)) continue;
    const words = stemmedWordSet(memory.text);
    const vector = vectors.get(memory.id);
    const candidate: RecallCandidate = {
      memory,
      relevance: ownRelevance(round.query, round.weights, words, vector),
      inSession: round.sessionId !== undefined && memory.sessionId === round.sessionId,
      words,
      vector,
    };
    round.candidates.push(candidate);
    known.set(memory.id, candidate);
    joined.push(candidate);
  }
  return joined;
}
