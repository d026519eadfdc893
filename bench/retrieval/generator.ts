/** The seeded generator: the same seed always yields the same conversations, ids and labels. */
import { Dice, seededRandom, sessionDates, type BenchConversation, type BenchQuestion, type BenchSet, type Part } from "./dataset.js";
import {
  CHINESE_CHATTER,
  CHINESE_FACTS,
  HELDOUT_PREFERENCES,
  MULTI_FACTS,
  SINGLE_FACTS,
  TUNING_PREFERENCES,
  WHEN_FACTS,
  chatterLine,
  preferenceFact,
  type Fact,
  type FactTemplate,
} from "./templates.js";

const NAMES = [
  "Maya",
  "Tom",
  "Lena",
  "Omar",
  "Priya",
  "Jonas",
  "Aiko",
  "Diego",
  "Hannah",
  "Kwame",
  "Sofia",
  "Ravi",
  "Elena",
  "Marcus",
  "Chloe",
  "Nadia",
  "Theo",
  "Ines",
  "Yusuf",
  "Greta",
];
const CN_NAMES = ["小林", "阿杰", "王芳", "陈雨", "李明", "周婷"];

export interface GeneratorOptions {
  seed: number;
  part: Part;
  english: number;
  chinese: number;
}

interface PlacedFact {
  fact: Fact;
  speaker: string;
  /** The session of each part. */
  sessions: number[];
}

function conversationOf(dice: Dice, id: string, chinese: boolean, part: Part): { conversation: BenchConversation; questions: BenchQuestion[] } {
  const [owner, other] = dice.sample(chinese ? CN_NAMES : NAMES, 2) as [string, string];
  const sessionCount = chinese ? 8 : 14;
  const dates = sessionDates(dice, sessionCount);
  const facts: { template: FactTemplate; ownerOnly: boolean }[] = chinese
    ? dice.sample(CHINESE_FACTS, 5).map((template) => ({ template, ownerOnly: false }))
    : [
        ...dice.sample(SINGLE_FACTS, 5).map((template) => ({ template, ownerOnly: false })),
        ...dice.sample(MULTI_FACTS, 2).map((template) => ({ template, ownerOnly: false })),
        ...dice.sample(WHEN_FACTS, 3).map((template) => ({ template, ownerOnly: false })),
        ...dice
          .sample(part === "tuning" ? TUNING_PREFERENCES : HELDOUT_PREFERENCES, 3)
          .map((preference) => ({ template: preferenceFact(preference), ownerOnly: true })),
      ];
  const placed: PlacedFact[] = facts.map(({ template, ownerOnly }) => {
    const speaker = ownerOnly || dice.chance(0.5) ? owner : other;
    const fact = template(dice, speaker, speaker === owner ? other : owner);
    const first = dice.int(sessionCount - (fact.parts.length - 1));
    const sessions = fact.parts.map((_, index) => (index === 0 ? first : first + 1 + dice.int(sessionCount - first - 1)));
    return { fact, speaker, sessions };
  });
  // Each session: chatter, with the fact parts it holds dropped in at random places.
  const conversation: BenchConversation = { id, owner, other, sessions: [] };
  const evidenceOf = new Map<PlacedFact, string[]>();
  for (let session = 0; session < sessionCount; session += 1) {
    type Block = { lines: { speaker: string; text: string; evidence: boolean }[]; fact?: PlacedFact };
    const blocks: Block[] = [];
    const chatterCount = (chinese ? 8 : 14) + dice.int(8);
    let talker = dice.chance(0.5) ? owner : other;
    for (let index = 0; index < chatterCount; index += 1) {
      blocks.push({ lines: [{ speaker: talker, text: chinese ? dice.pick(CHINESE_CHATTER) : chatterLine(dice), evidence: false }] });
      talker = talker === owner ? other : owner;
    }
    for (const entry of placed) {
      entry.sessions.forEach((at, partIndex) => {
        if (at !== session) return;
        const otherOne = entry.speaker === owner ? other : owner;
        const lines = (entry.fact.parts[partIndex] ?? []).map((line) => ({
          speaker: line.by === "S" ? entry.speaker : otherOne,
          text: line.text,
          evidence: line.evidence === true,
        }));
        blocks.splice(1 + dice.int(blocks.length), 0, { lines, fact: entry });
      });
    }
    const sessionId = `${id}-s${session + 1}`;
    const messages = blocks
      .flatMap((block) => block.lines.map((line) => ({ ...line, fact: block.fact })))
      .map((line, index) => {
        const messageId = `${sessionId}-m${index + 1}`;
        if (line.evidence && line.fact) evidenceOf.set(line.fact, [...(evidenceOf.get(line.fact) ?? []), messageId]);
        return { id: messageId, speaker: line.speaker, text: `${line.speaker}: ${line.text}` };
      });
    conversation.sessions.push({ id: sessionId, date: dates[session] as string, messages });
  }
  const questions: BenchQuestion[] = placed.map((entry, index) => ({
    id: `${id}-q${index + 1}`,
    conversationId: id,
    kind: entry.fact.kind,
    part,
    origin: "generated",
    query: entry.fact.query,
    evidence: evidenceOf.get(entry) ?? [],
  }));
  return { conversation, questions };
}

export function generate(options: GeneratorOptions): BenchSet {
  const dice = new Dice(seededRandom(options.seed));
  const set: BenchSet = { conversations: [], questions: [] };
  const prefix = `g${options.seed}`;
  for (let index = 0; index < options.english + options.chinese; index += 1) {
    const chinese = index >= options.english;
    const { conversation, questions } = conversationOf(dice, `${prefix}-${chinese ? "zh" : "en"}${index + 1}`, chinese, options.part);
    set.conversations.push(conversation);
    set.questions.push(...questions);
  }
  return set;
}
