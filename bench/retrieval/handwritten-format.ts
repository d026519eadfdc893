/**
 * Hand-written conversations in a compact form: each line starts with "A " (the cube owner) or
 * "B " (the other person); a label "2.5" is session 2, line 5 (1-based). A few seeded chatter
 * lines are mixed into each session so that the hand-written lines are not alone.
 */
import { Dice, seededRandom, type BenchConversation, type BenchQuestion, type BenchSet, type Part, type QuestionKind } from "./dataset.js";
import { CHINESE_CHATTER, chatterLine } from "./templates.js";

export interface HandwrittenConversation {
  id: string;
  owner: string;
  other: string;
  chinese?: boolean;
  sessions: { date: string; lines: string[] }[];
  questions: [QuestionKind, string, string[]][];
}

export function buildHandwritten(conversations: readonly HandwrittenConversation[], part: Part, seed: number): BenchSet {
  const dice = new Dice(seededRandom(seed));
  const set: BenchSet = { conversations: [], questions: [] };
  for (const written of conversations) {
    const conversation: BenchConversation = { id: written.id, owner: written.owner, other: written.other, sessions: [] };
    written.sessions.forEach((session, sessionIndex) => {
      const sessionId = `${written.id}-s${sessionIndex + 1}`;
      type Line = { id: string; speaker: string; text: string };
      const lines: Line[] = session.lines.map((line, lineIndex) => {
        const speaker = line.startsWith("A ") ? written.owner : line.startsWith("B ") ? written.other : undefined;
        if (!speaker) throw new Error(`${sessionId} line ${lineIndex + 1}: must start with "A " or "B "`);
        return { id: `${sessionId}-h${lineIndex + 1}`, speaker, text: line.slice(2) };
      });
      const fillers = 8 + dice.int(8);
      for (let index = 0; index < fillers; index += 1) {
        const speaker = dice.chance(0.5) ? written.owner : written.other;
        lines.splice(dice.int(lines.length + 1), 0, {
          id: `${sessionId}-f${index + 1}`,
          speaker,
          text: written.chinese ? dice.pick(CHINESE_CHATTER) : chatterLine(dice),
        });
      }
      conversation.sessions.push({
        id: sessionId,
        date: session.date,
        messages: lines.map((line) => ({ id: line.id, speaker: line.speaker, text: `${line.speaker}: ${line.text}` })),
      });
    });
    set.conversations.push(conversation);
    written.questions.forEach(([kind, query, labels], index) => {
      const question: BenchQuestion = {
        id: `${written.id}-q${index + 1}`,
        conversationId: written.id,
        kind,
        part,
        origin: "handwritten",
        query,
        evidence: labels.map((label) => {
          const [session, line] = label.split(".");
          return `${written.id}-s${session}-h${line}`;
        }),
      };
      set.questions.push(question);
    });
  }
  return set;
}
