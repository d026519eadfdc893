/**
 * Whether a query asks for advice or a suggestion ("Any ideas for …?", "Where should we …?",
 * "Pick us a film", 推荐, 住哪儿好, 帮我挑挑, Was passt?, Worauf sollte ich achten?): the questions a
 * user's stated preferences bear on even when they share no word with them. Told by closed classes
 * only: modals of advice with a first person, verbs and nouns of suggesting and choosing, the
 * indefinite pronouns of an open choice (something, somewhere; etwas, irgendwo), and the Chinese
 * interrogative + 好/合适 of "which would be good". No topic word.
 */

const ADVICE_EN = [
  /\b(?:should|could|shall|can) (?:i|we)\b/i,
  /\b(?:what|where|which|how|who) (?:should|could|would|shall|to)\b/i,
  /\b(?:suggest|suggestions?|recommend|recommendations?|advise|advice|ideas?|tips?|options)\b/i,
  /\b(?:something|somewhere|someplace|anything|anywhere)\b/i,
  /^(?:please )?(?:pick|choose|plan|find|help me|put together|sort out|queue up|get)\b/i,
];

const ADVICE_ZH = [
  /(?:推荐|建议|合适|主意|怎么办|怎么安排|该怎么|该去|该选)/u,
  /(?:哪儿|哪里|哪|啥|什么)\p{Script=Han}{0,4}好[？?吗呢呀]?/u,
  /帮我(?:挑|选|想|找|安排|看看|出)/u,
  /(?:有什么|有啥)(?:要|需要|可以|值得|好)/u,
];

const ADVICE_DE = [
  /\b(?:empfiehlst|empfehlen|empfehlung|vorschlag|vorschläge|tipps?|ideen?|rat)\b/iu,
  /\b(?:sollte|sollten|soll|könnte|könnten) (?:ich|wir)\b/iu,
  /\b(?:was passt|worauf|wohin|was mache ich|was machen wir)\b/iu,
  /\b(?:etwas|irgendwas|irgendwo|irgendein\p{L}*)\b/iu,
  /\b(?:hast du|habt ihr|hätten sie|haben sie) (?:ein|eine|einen|etwas)\b[^.!]*\?/iu,
];

export function asksForAdvice(text: string): boolean {
  return ADVICE_EN.some((pattern) => pattern.test(text)) || ADVICE_ZH.some((pattern) => pattern.test(text)) || ADVICE_DE.some((pattern) => pattern.test(text));
}
