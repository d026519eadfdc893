/** The retrieval benchmark's data: conversations between two named people, and labelled questions. */

export type QuestionKind = "single" | "multi" | "when" | "preference" | "chinese";
/**
 * tuning: features were chosen on it; heldout: never tuned on; fresh: written after the code was
 * frozen (then seen failing, see README); fresh2: written before the cues were widened after that.
 */
export type Part = "tuning" | "heldout" | "fresh" | "fresh2";
export type Origin = "generated" | "handwritten";

export interface BenchMessage {
  /** Unique in the whole benchmark; sent as `message_id`. */
  id: string;
  speaker: string;
  text: string;
}

export interface BenchSession {
  id: string;
  /** ISO date (YYYY-MM-DD) of the session; messages are a minute apart from 19:00 UTC. */
  date: string;
  messages: BenchMessage[];
}

export interface BenchConversation {
  id: string;
  /** The cube owner: their messages are sent as `user`, the other person's as `assistant`. */
  owner: string;
  other: string;
  sessions: BenchSession[];
}

export interface BenchQuestion {
  id: string;
  conversationId: string;
  kind: QuestionKind;
  part: Part;
  origin: Origin;
  query: string;
  /** The message ids holding the evidence (all of them are needed). */
  evidence: string[];
}

export interface BenchSet {
  conversations: BenchConversation[];
  questions: BenchQuestion[];
}

/** The same seeded PRNG as the performance benchmark's: the same seed always gives the same set. */
export { seededRandom } from "../lib/corpus.js";

export class Dice {
  constructor(private readonly next: () => number) {}
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index -= 1) {
      const other = this.int(index + 1);
      [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
    }
    return copy;
  }
  /** `count` distinct items. */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, count);
  }
}

/** Session dates: a start in 2026, then every 3 to 9 days. */
export function sessionDates(dice: Dice, count: number): string[] {
  let time = Date.UTC(2026, dice.int(6), 1 + dice.int(27));
  const dates: string[] = [];
  for (let index = 0; index < count; index += 1) {
    dates.push(new Date(time).toISOString().slice(0, 10));
    time += (3 + dice.int(7)) * 86_400_000;
  }
  return dates;
}

/** The chat_time of a session's n-th message. */
export function chatTimeOf(date: string, index: number): string {
  const minutes = 19 * 60 + index;
  return `${date}T${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}:00Z`;
}

/** Every label must point at a message of its own conversation: the benchmark refuses to run otherwise. */
export function checkLabels(set: BenchSet): string[] {
  const problems: string[] = [];
  const messagesOf = new Map(
    set.conversations.map((conversation) => [
      conversation.id,
      new Set(conversation.sessions.flatMap((session) => session.messages.map((message) => message.id))),
    ]),
  );
  const allIds = new Set<string>();
  for (const conversation of set.conversations) {
    for (const session of conversation.sessions) {
      for (const message of session.messages) {
        if (allIds.has(message.id)) problems.push(`duplicate message id ${message.id}`);
        allIds.add(message.id);
      }
    }
  }
  for (const question of set.questions) {
    const ids = messagesOf.get(question.conversationId);
    if (!ids) problems.push(`${question.id}: no conversation ${question.conversationId}`);
    if (question.evidence.length === 0) problems.push(`${question.id}: no evidence`);
    for (const id of question.evidence) if (!ids?.has(id)) problems.push(`${question.id}: evidence ${id} is not a message of ${question.conversationId}`);
  }
  return problems;
}
