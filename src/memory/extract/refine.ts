import type { ChatModel } from "../../llm/chat-model.js";
import type { DerivedMemory, JobClaim, JobRecord, MessageRecord, NewMemory } from "../../store/types.js";
import { embedWhereMeaningful } from "../add.js";
import type { MemoryContext } from "../context.js";
import { PermanentJobError } from "../jobs/job-errors.js";
import { indexTextOf } from "../index-terms.js";
import { extractMemories } from "./extractor.js";
import { ExtractPayload } from "./job-payload.js";
import type { ExtractedMemory } from "./schema.js";
import { decideUpdates, sameText, similarMemories, type FactDecision, type NewFact } from "./updates.js";

/** Earlier messages of the session shown for context (pronouns, "there", "the trip"). */
const EARLIER_CONTEXT = 6;

interface Fact extends NewFact {
  extracted: ExtractedMemory;
  sourceMessageIds: string[];
}

/** The messages a memory cites (the whole window when the model did not say), and the time it speaks of. */
function factOf(extracted: ExtractedMemory, messages: readonly MessageRecord[]): Omit<Fact, "vector"> {
  const cited = extracted.sources.flatMap((number) => messages[number - 1] ?? []);
  const sources = cited.length > 0 ? cited : messages;
  const chatTime = sources.reduce((latest, message) => (message.chatTime > latest ? message.chatTime : latest), "");
  return {
    extracted,
    text: extracted.text,
    key: extracted.key,
    memoryType: extracted.memoryType,
    chatTime,
    sourceMessageIds: sources.map((message) => message.messageId),
  };
}

function newMemory(job: JobRecord, payload: ExtractPayload, info: Record<string, unknown>, fact: Fact, text: string, now: string): NewMemory {
  const tags = [...new Set([...fact.extracted.tags, ...payload.tags])];
  return {
    id: crypto.randomUUID(),
    cubeId: job.cubeId,
    userId: job.userId,
    sessionId: payload.sessionId,
    text,
    memoryType: fact.extracted.memoryType,
    key: fact.key,
    tags,
    confidence: 1,
    source: "conversation",
    background: "",
    info,
    chatTime: fact.chatTime,
    createdAt: now,
    updatedAt: now,
    sourceMessageIds: fact.sourceMessageIds,
    // A merged update text is embedded on its own before the commit (see runExtraction).
    vector: text === fact.text ? fact.vector : null,
    // The key and tags are searchable words too: "home city" finds the fact about where the user lives.
    keywords: indexTextOf([text, fact.key, ...tags].join(" ")),
  };
}

/** The add's info, which derived memories carry as their raw memories do (the same object: stored once). */
async function infoOf(context: MemoryContext, payload: ExtractPayload): Promise<Record<string, unknown>> {
  if (Object.keys(payload.info).length > 0) return payload.info;
  const [raw] = await context.store.getMemories(payload.memoryIds);
  return raw?.info ?? {};
}

/**
 * The extraction job: the window's messages → memories (extraction), each compared with the
 * cube's similar memories (add / update / duplicate), written in one transaction that archives
 * what they replace — the old versions of updated facts, and the raw memories of the window — and
 * completes the job. Messages deleted since the job was queued are not read; messages deleted
 * while it ran are caught by the store's check at commit. Failures throw (the runner retries or
 * parks); the raw memories stay searchable until a refinement succeeds.
 */
export async function runExtraction(context: MemoryContext, model: ChatModel, job: JobRecord, claim: JobClaim, signal: AbortSignal): Promise<void> {
  const parsed = ExtractPayload.safeParse(job.payload);
  if (!parsed.success) throw new PermanentJobError(`malformed extraction job payload: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const payload = parsed.data;
  const commit = (derived: DerivedMemory[], retire: { memoryId: string; successorId: string; reason: string }[], result: Record<string, unknown>) =>
    context.store.commitRefinement({ claim, cubeId: job.cubeId, now: context.now().toISOString(), derived, retire, result });

  const messages = await context.store.getMessages(job.cubeId, payload.messageIds);
  const first = messages[0];
  if (!first) {
    await commit([], [], { extracted: 0, memoryIds: [], note: "the messages were deleted before extraction" });
    return;
  }
  const earlier = await context.store.messagesBefore(job.cubeId, payload.sessionId, first.chatTime, EARLIER_CONTEXT);
  const extraction = await extractMemories(model, { earlier, messages }, signal);

  // The same memory twice in one answer is one memory.
  const unique = extraction.memories.filter((memory, index, all) => all.findIndex((other) => sameText(other.text, memory.text)) === index);
  const drafts = unique.map((memory) => factOf(memory, messages));
  const vectors = await embedWhereMeaningful(
    context,
    drafts.map((draft) => draft.text),
  );
  const facts: Fact[] = drafts.map((draft, index) => ({ ...draft, vector: vectors[index] ?? null }));
  if (facts.length === 0) {
    // Nothing worth a memory, in the model's view: the raw memories stay as they are.
    await commit([], [], { extracted: 0, memoryIds: [], retried: extraction.retried, language: extraction.language });
    return;
  }

  const window = new Set(payload.memoryIds);
  const similar = await Promise.all(facts.map((fact) => similarMemories(context, job.cubeId, fact, window)));
  const { decisions, askedModel, modelFailed } = await decideUpdates(
    model,
    facts.map((fact, index) => ({ fact, similar: similar[index] ?? [] })),
    extraction.language,
    signal,
  );

  const info = await infoOf(context, payload);
  const now = context.now().toISOString();
  const derived: DerivedMemory[] = [];
  /** What each fact now stands as: its new row, or the memory that already said it. */
  const outcomeIds: string[] = [];
  /** Old memories replaced in this job → their replacement (a second update of one target adds instead). */
  const replaced = new Map<string, string>();
  const counts = { added: 0, updated: 0, duplicates: 0 };
  facts.forEach((fact, index) => {
    const decision: FactDecision = decisions[index] ?? { action: "add" };
    if (decision.action === "duplicate") {
      outcomeIds.push(replaced.get(decision.target.id) ?? decision.target.id);
      counts.duplicates += 1;
      return;
    }
    const updating = decision.action === "update" && !replaced.has(decision.target.id) ? decision : undefined;
    const memory = newMemory(job, payload, info, fact, updating ? updating.text : fact.text, now);
    derived.push({
      memory,
      ...(updating && { supersedes: { memoryId: updating.target.id, reason: "updated by a newer fact" } }),
    });
    if (updating) replaced.set(updating.target.id, memory.id);
    outcomeIds.push(memory.id);
    counts[updating ? "updated" : "added"] += 1;
  });

  // Texts the update step merged were not embedded with the facts.
  const merged = derived.filter(({ memory }) => memory.vector === null && !facts.some((fact) => fact.text === memory.text));
  const mergedVectors = await embedWhereMeaningful(
    context,
    merged.map(({ memory }) => memory.text),
  );
  merged.forEach(({ memory }, index) => (memory.vector = mergedVectors[index] ?? null));

  // Each raw memory points to a memory citing its message, else to the first one of the window.
  const retire = payload.memoryIds.flatMap((memoryId, index) => {
    const messageId = payload.messageIds[index];
    const citing = facts.findIndex((fact) => messageId !== undefined && fact.sourceMessageIds.includes(messageId));
    const successorId = outcomeIds[Math.max(citing, 0)];
    return successorId ? [{ memoryId, successorId, reason: "refined by extraction" }] : [];
  });

  await commit(derived, retire, {
    extracted: facts.length,
    ...counts,
    memoryIds: outcomeIds,
    retried: extraction.retried,
    language: extraction.language,
    updateStep: askedModel ? (modelFailed ? "model answer unusable: new memories added" : "model") : "rule",
  });
}
