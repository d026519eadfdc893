/**
 * A seeded generator of varied conversational sentences and questions about them, so benchmarks
 * embed and search text that looks like real chat rather than random tokens.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ["Anna", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kira", "Liam", "Maya", "Noah", "Olga", "Priya"];
const PLACES = ["Lisbon", "Kyoto", "Denver", "Cape Town", "Oslo", "Hanoi", "Lima", "Vienna", "Austin", "Seoul", "Porto", "Nairobi"];
const HOBBIES = [
  "rock climbing",
  "watercolour painting",
  "sourdough baking",
  "trail running",
  "chess",
  "birdwatching",
  "salsa dancing",
  "pottery",
  "sailing",
  "gardening",
  "jazz piano",
  "photography",
];
const FOODS = ["ramen", "tacos", "mushroom risotto", "pho", "falafel", "dumplings", "paella", "curry", "sushi", "pierogi"];
const THINGS = [
  "a vintage bicycle",
  "a new laptop",
  "hiking boots",
  "a rice cooker",
  "a standing desk",
  "noise-cancelling headphones",
  "a kayak",
  "a telescope",
];
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

const TEMPLATES: ((pick: <T>(list: readonly T[]) => T, n: number) => string)[] = [
  (pick) => `I have been getting into ${pick(HOBBIES)} lately, my friend ${pick(NAMES)} got me started.`,
  (pick) => `Next month I am flying to ${pick(PLACES)} for a conference and staying a few extra days.`,
  (pick) => `My sister ${pick(NAMES)} just moved to ${pick(PLACES)} and loves the ${pick(FOODS)} there.`,
  (pick, n) => `I bought ${pick(THINGS)} for ${n * 7 + 30} dollars on ${pick(WEEKDAYS)}.`,
  (pick) => `That sounds great! Have you tried the ${pick(FOODS)} place near the station?`,
  (pick) => `Honestly I can't stand ${pick(FOODS)}, but ${pick(NAMES)} orders it every time.`,
  (pick, n) => `The ${pick(HOBBIES)} class meets every ${pick(WEEKDAYS)} at ${(n % 12) + 1} pm.`,
  (pick) => `We should plan a trip to ${pick(PLACES)} together, maybe in the spring.`,
  (pick) => `My manager ${pick(NAMES)} asked me to prepare the quarterly report by ${pick(WEEKDAYS)}.`,
  (pick, n) => `I ran ${(n % 20) + 3} kilometres this morning before work, it felt amazing.`,
  (pick) => `Remember to remind me to call ${pick(NAMES)} about the ${pick(HOBBIES)} workshop.`,
  (pick) => `I'm allergic to ${pick(["peanuts", "shellfish", "cats", "pollen", "penicillin"])}, so please keep that in mind.`,
];

const QUESTIONS: ((pick: <T>(list: readonly T[]) => T) => string)[] = [
  (pick) => `What do I know about ${pick(HOBBIES)}?`,
  (pick) => `When am I travelling to ${pick(PLACES)}?`,
  () => `Where does my sister live now?`,
  (pick) => `How much did I pay for ${pick(THINGS)}?`,
  (pick) => `Which food does ${pick(NAMES)} like?`,
  () => `What is due for my manager this week?`,
  () => `What allergies should the restaurant know about?`,
  (pick) => `Who got me into ${pick(HOBBIES)}?`,
  (pick) => `Any plans for a spring trip to ${pick(PLACES)}?`,
  () => `How far did I run this morning?`,
];

function picker(random: () => number) {
  return <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
}

/** `count` chat messages, alternating user and assistant roles, reproducible for a seed. */
export function messages(count: number, seed = 1): { role: "user" | "assistant"; content: string }[] {
  const random = seededRandom(seed);
  const pick = picker(random);
  return Array.from({ length: count }, (_, index) => ({
    role: index % 2 === 0 ? ("user" as const) : ("assistant" as const),
    content: pick(TEMPLATES)(pick, index),
  }));
}

/** `count` distinct-enough questions over the same vocabulary. */
export function questions(count: number, seed = 2): string[] {
  const random = seededRandom(seed);
  const pick = picker(random);
  return Array.from({ length: count }, (_, index) => `${pick(QUESTIONS)(pick)}${index % 3 === 0 ? "" : ` (${index})`}`);
}
