/**
 * Cues read from the text alone, no model: whether a query asks for advice, and whether a memory
 * states a lasting preference or constraint of the speaker ("I'm allergic to…", "I never…").
 * An advice query ("what snacks should I pack?") rarely shares a word with the constraint that
 * decides the answer ("my daughter is allergic to peanuts"), so search looks for such statements
 * explicitly when the query asks for advice.
 */

const ADVICE_EN = new RegExp(
  `\\b(${[
    "should (i|we)",
    "(i|we) should",
    "shall (i|we)",
    "suits? (me|us)",
    "(good|best|right|easy) for (me|us)",
    "would be (a )?(good|easy|nice|best|fun)",
    "good time",
    "what (can|could) (i|we)",
    "can you (suggest|recommend|help)",
    "suggest",
    "recommend(ations?)?",
    "any (ideas|tips)",
    "ideas for",
    "good idea",
    "worth (it|going|trying)",
    "what to (bring|cook|order|pack|make|buy|wear|do|eat|get)",
    "where (can|could) (i|we)",
    "help me (pick|choose|plan|decide)",
    "is (that|it) a good",
  ].join("|")})\\b`,
  "i",
);
const ADVICE_ZH = /(推荐|建议|应该|什么好|注意什么|点什么|吃什么|买什么|带什么|怎么安排|要注意|合适|好不好)/u;

export function asksForAdvice(query: string): boolean {
  return ADVICE_EN.test(query) || ADVICE_ZH.test(query);
}

/** Statements of a lasting constraint, by kind; an advice answer must respect them. */
const CONSTRAINT_PATTERNS = [
  // food and drink
  "allerg(ic|y|ies)",
  "intoleran(t|ce)",
  "coeliac",
  "celiac",
  "gluten",
  "lactose",
  "dairy",
  "vegetarian",
  "vegan",
  "plant-based",
  "halal",
  "kosher",
  "teetotal",
  "sober",
  "not drinking",
  "(stopped|quit) (eating|drinking)",
  "gave up (meat|sugar|alcohol|drinking|dairy|coffee)",
  "cut out",
  "off (caffeine|alcohol|sugar|meat|dairy|the menu)",
  "rationed",
  "(don't|do not|doesn't|never|can't|cannot) (eat|eats|drink|drinks)",
  // health and body
  "diabet(es|ic)",
  "asthma",
  "migraines?",
  "pregnan(t|cy)",
  "epilep(sy|tic)",
  "wheelchair",
  "crutches",
  "insomnia",
  "(bad|weak|injured|sore|dodgy) (hip|hips|knee|knees|back|ankle|ankles|shoulder|stomach|heart)",
  "my (hip|hips|knees|back|stomach|heart) (is|are) bad",
  "seasick",
  "claustrophobic",
  "makes me (dizzy|sick|ill)",
  "give[s]? me (a |the )?(headache|headaches|migraines?|nightmares|hives|a rash)",
  "wrecks my",
  // fears and dislikes
  "(scared|afraid|terrified) of",
  "phobia",
  "nightmares",
  "i (hate|dislike|prefer|always need|never)",
  "not a fan of",
  "(can't|cannot|can not|couldn't) (stand|eat|drink|do|watch|handle|afford)",
  "(don't|do not|doesn't|never) (stay|fly|like|drive)",
  // time, money, getting around
  "night shifts?",
  "work nights",
  "money('s| is) tight",
  "(tight|small) budget",
  "on a budget",
  "saving (up )?for",
  "no car",
  "sold the car",
  "only cycle",
  // general
  "need my own",
  "no (basement|pork|meat|wool)",
  "(is|are) off the table",
  "is out for me",
];
const CONSTRAINT_EN = new RegExp(`\\b(${CONSTRAINT_PATTERNS.join("|")})\\b`, "i");
const CONSTRAINT_ZH = /(过敏|不吃|不喝|不能吃|吃素|忌口|讨厌|受不了|害怕|怕|晕船|晕车|一点都不行)/u;

export function statesConstraint(text: string): boolean {
  return CONSTRAINT_EN.test(text.replaceAll("\u2019", "'")) || CONSTRAINT_ZH.test(text);
}

/**
 * Indexed with every constraint statement (letters only, so that both stores' tokenizers keep it
 * whole); a user's own word is unlikely to collide with it, and a collision only adds a candidate.
 */
export const CONSTRAINT_MARK = "memcubeconstraintcue";

/**
 * What an advice query looks for in the keyword index: the mark, and for memories indexed before
 * the mark existed, the commonest words of constraint statements.
 */
export const CONSTRAINT_WORDS = [
  CONSTRAINT_MARK,
  "allergic",
  "allergy",
  "intolerant",
  "coeliac",
  "vegetarian",
  "vegan",
  "hate",
  "never",
  "prefer",
  "scared",
  "afraid",
  "terrified",
  "seasick",
  "claustrophobic",
  "cannot",
  "gluten",
  "diabetes",
  "diabetic",
  "asthma",
  "pregnant",
  "wheelchair",
  "budget",
  "过敏",
  "不吃",
  "吃素",
  "讨厌",
  "害怕",
];
