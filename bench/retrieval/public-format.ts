/**
 * The public benchmark's file format (bench/retrieval/public/*.json, written by someone who has not
 * seen the ranking code; see docs/retrieval.md): conversations of real or hand-written dialogue,
 * dated sessions of turns, and questions labelled with the turns that answer them.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

export const PUBLIC_KINDS = ["single-hop", "multi-hop", "temporal", "open-domain", "preference", "no-answer"] as const;
export type PublicKind = (typeof PUBLIC_KINDS)[number];

const Turn = z.object({ id: z.string().min(1), role: z.enum(["user", "assistant"]), text: z.string().min(1) });
const Session = z.object({ id: z.string().min(1), date: z.string().min(1), turns: z.array(Turn).min(1) });
const Conversation = z.object({
  id: z.string().min(1),
  source: z.string(),
  language: z.string().min(2),
  sessions: z.array(Session).min(1),
});
const Question = z.object({
  id: z.string().min(1),
  conversation: z.string().min(1),
  kind: z.enum(PUBLIC_KINDS),
  language: z.string().min(2),
  question: z.string().min(1),
  asked_at: z.string().optional(),
  evidence: z.array(z.string()),
  answer: z.string().optional(),
});
const Source = z.object({
  name: z.string(),
  url: z.string().optional(),
  commit: z.string().optional(),
  licence: z.string().optional(),
  note: z.string().optional(),
});
export const PublicSet = z.object({ sources: z.array(Source).default([]), conversations: z.array(Conversation), questions: z.array(Question) });
export type PublicSet = z.infer<typeof PublicSet>;
export type PublicQuestion = z.infer<typeof Question>;
export type PublicConversation = z.infer<typeof Conversation>;

/** Everything that would make a figure wrong: the run refuses to start on any of these. */
export function checkPublicSet(set: PublicSet): string[] {
  const problems: string[] = [];
  const turnsOf = new Map<string, Set<string>>();
  const seenTurns = new Set<string>();
  for (const conversation of set.conversations) {
    if (turnsOf.has(conversation.id)) problems.push(`duplicate conversation id ${conversation.id}`);
    const turns = new Set<string>();
    for (const session of conversation.sessions) {
      if (Number.isNaN(Date.parse(session.date))) problems.push(`${session.id}: date ${session.date} is not ISO 8601`);
      for (const turn of session.turns) {
        if (seenTurns.has(turn.id)) problems.push(`duplicate turn id ${turn.id}`);
        seenTurns.add(turn.id);
        turns.add(turn.id);
      }
    }
    turnsOf.set(conversation.id, turns);
  }
  const seenQuestions = new Set<string>();
  for (const question of set.questions) {
    if (seenQuestions.has(question.id)) problems.push(`duplicate question id ${question.id}`);
    seenQuestions.add(question.id);
    const turns = turnsOf.get(question.conversation);
    if (!turns) problems.push(`${question.id}: no conversation ${question.conversation}`);
    if (question.kind === "no-answer" && question.evidence.length > 0) problems.push(`${question.id}: a no-answer question has evidence`);
    if (question.kind !== "no-answer" && question.evidence.length === 0) problems.push(`${question.id}: no evidence`);
    for (const id of question.evidence) if (!turns?.has(id)) problems.push(`${question.id}: evidence ${id} is not a turn of ${question.conversation}`);
  }
  return problems;
}

/** Reads and checks a set; throws with every problem found. */
export function loadPublicSet(file: string): PublicSet {
  const parsed = PublicSet.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is not in the benchmark's format:\n${parsed.error.message}`);
  const problems = checkPublicSet(parsed.data);
  if (problems.length > 0) throw new Error(`${file}: the labels are broken:\n${problems.join("\n")}`);
  return parsed.data;
}

/** A turn's chat_time: its session's date, the turns a second apart so that their order is kept. */
export function turnTime(sessionDate: string, index: number): string {
  return new Date(Date.parse(sessionDate) + index * 1000).toISOString();
}
