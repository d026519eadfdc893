/**
 * Whether a query asks for advice or a suggestion: the questions a user's stated preferences bear on
 * even when they share no word with them. Told by closed classes only, the generic vocabulary of
 * asking for advice in each language: modals of advice with a first person (should I, sollten wir),
 * an interrogative with a modal, the verbs and nouns of advising and recommending, the indefinite
 * pronouns of an open choice (something, somewhere; etwas, irgendwo), and the Chinese interrogative
 * + 好 of "which would be good". No topic word, and no imperative of a task ("find", "book"): those
 * are requests, not questions a preference shapes.
 */

const ADVICE_EN = [
  /\b(?:should|could|shall|can) (?:i|we)\b/i,
  /\b(?:what|where|which|how|who) (?:should|could|would|shall|to)\b/i,
  /\b(?:suggest|suggestions?|recommend|recommendations?|advise|advice|ideas?|tips?)\b/i,
  /\b(?:something|somewhere|someplace|anything|anywhere)\b/i,
];

const ADVICE_ZH = [/(?:推荐|建议|合适|主意|怎么办)/u, /(?:哪儿|哪里|哪|啥|什么)\p{Script=Han}{0,4}好[？?吗呢呀]?/u, /(?:有什么|有啥)(?:要|需要|可以|值得|好)/u];

const ADVICE_DE = [
  /\b(?:empfiehlst|empfehlen|empfehlung|vorschlag|vorschläge|tipps?|ideen?|rat)\b/iu,
  /\b(?:sollte|sollten|soll|könnte|könnten) (?:ich|wir)\b/iu,
  /\b(?:wohin|was|wo|welche[snmr]?) (?:sollte|sollten|soll|könnte|könnten)\b/iu,
  /\b(?:etwas|irgendwas|irgendwo|irgendein\p{L}*)\b/iu,
  /\b(?:hast du|habt ihr|hätten sie|haben sie) (?:ein|eine|einen|etwas)\b[^.!]*\?/iu,
];

export function asksForAdvice(text: string): boolean {
  return ADVICE_EN.some((pattern) => pattern.test(text)) || ADVICE_ZH.some((pattern) => pattern.test(text)) || ADVICE_DE.some((pattern) => pattern.test(text));
}
