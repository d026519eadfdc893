/**
 * Cues read from the text alone, no model: whether a query asks for advice, and whether a memory
 * states a lasting preference or constraint of the speaker ("I'm allergic to…", "I never…").
 * An advice query ("what snacks should I pack?") rarely shares a word with the constraint that
 * decides the answer ("my daughter is allergic to peanuts"), so search looks for such statements
 * explicitly when the query asks for advice.
 */

const ADVICE_EN =
  /\b(should (i|we)|(i|we) should|shall (i|we)|suits? (me|us)|(good|best|right) for (me|us)|what (can|could) (i|we)|can you (suggest|recommend|help)|(suggest|recommend)|any (ideas|tips)|ideas for|good idea|what to (bring|cook|order|pack|make|buy|wear|do|eat|get)|where (can|could) (i|we)|help me (pick|choose|plan|decide)|is (that|it) a good)\b/i;
const ADVICE_ZH = /(推荐|建议|应该|什么好|注意什么|点什么|吃什么|买什么|带什么|怎么安排|要注意)/u;

export function asksForAdvice(query: string): boolean {
  return ADVICE_EN.test(query) || ADVICE_ZH.test(query);
}

const CONSTRAINT_EN =
  /\b(allerg(ic|y|ies)|intoleran(t|ce)|coeliac|celiac|vegetarian|vegan|halal|kosher|(can't|cannot|can not|couldn't) (stand|eat|drink|do|watch|handle)|(don't|do not|doesn't|never) (eat|eats|drink|drinks|stay|fly|like)|i (hate|prefer|always need|never)|not drinking|off (caffeine|alcohol|sugar|meat|dairy)|(scared|afraid|terrified) of|seasick|claustrophobic|nightmares|wrecks my|give[s]? me|makes me (dizzy|sick|ill)|my (knees|back|stomach) (are|is) bad|need my own|no (basement|pork|meat|wool)|(is|are) off the table|is out for me)\b/i;
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
  "allergic", "allergy", "intolerant", "coeliac", "vegetarian", "vegan", "hate", "never", "prefer", "scared", "afraid",
  "terrified", "seasick", "claustrophobic", "cannot", "过敏", "不吃", "吃素", "讨厌", "害怕",
];
