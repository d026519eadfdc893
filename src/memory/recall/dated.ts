/**
 * "When" questions rank dated evidence: a turn that says when something happened ("yesterday",
 * "last Tuesday", "on 3 May", 上周, 昨天, letzte Woche) answers "When did …?" better than a turn
 * about the same thing that does not. Both are told by closed classes only: interrogatives of time,
 * and time words (weekdays, months, relative days and weeks, dates and clock times). The boost moves
 * a relevant turn part of the way towards 1, like the session boost; a turn of zero relevance stays
 * at zero.
 */
import type { RecallRound } from "./candidate.js";

/** How far a dated turn moves towards 1 for a "when" question. */
export const DATED_BOOST = 0.15;

const WHEN_QUESTION = [
  /\bwhen\b/i,
  /\b(?:what|which) (?:time|date|day|week|weekend|month|year)\b/i,
  /\bhow long ago\b/i,
  /(?:什么时候|啥时候|何时|哪天|哪一天|哪年|哪一年|哪个月|几月|几号|几点|星期几|周几|礼拜几|多久以前|什么日子)/u,
  /\bwann\b/iu,
  /\b(?:an|in|um) welche[mnrs]? (?:tag|datum|monat|jahr|woche|uhrzeit)\b/iu,
  /\bum wie viel uhr\b/iu,
];

const WEEKDAYS_EN = "monday|tuesday|wednesday|thursday|friday|saturday|sunday";
const MONTHS_EN = "january|february|march|april|june|july|august|september|october|november|december";
const WEEKDAYS_DE = "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag";
const MONTHS_DE = "januar|februar|märz|maerz|april|mai|juni|juli|august|september|oktober|november|dezember";
const HAN_NUMBER = "[0-9〇零一二三四五六七八九十两]";

const TIME_EXPRESSION = [
  new RegExp(`\\b(?:${WEEKDAYS_EN}|${MONTHS_EN})\\b`, "i"),
  // "May" the month, not the modal: capitalised and not opening the sentence.
  /[^.!?\s]\s+May\b/,
  /\b(?:yesterday|today|tonight|tomorrow|ago|weekend)\b/i,
  /\b(?:this|last|next|past|coming) (?:morning|afternoon|evening|night|week|weekend|month|year|spring|summer|autumn|fall|winter)\b/i,
  /\b(?:19|20)\d{2}\b/,
  /\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b/i,
  /\b\d{1,2}:\d{2}\b/,
  /\b\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?\b/,
  /\b\d{1,2}(?:st|nd|rd|th)\b/i,
  /(?:昨天|今天|明天|前天|后天|昨晚|今晚|明晚|上周|下周|这周|本周|上星期|下星期|上个月|下个月|这个月|本月|去年|今年|明年|前年|周末|刚才)/u,
  /(?:星期|礼拜|周)[一二三四五六日天]/u,
  new RegExp(`${HAN_NUMBER}+(?:月|日|号|点|年)`, "u"),
  new RegExp(`\\b(?:${WEEKDAYS_DE}|${MONTHS_DE})\\b`, "iu"),
  /\b(?:gestern|heute|vorgestern|übermorgen|wochenende)\b/iu,
  /\b(?:letzte|letzten|letzter|letztes|nächste|nächsten|nächster|nächstes|diese|diesen|dieser|dieses) (?:woche|monat|jahr|wochenende|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\b/iu,
  /\bvor \S+ (?:tagen|wochen|monaten|jahren)\b/iu,
  /\b\d{1,2} uhr\b/iu,
];

export function isWhenQuestion(text: string): boolean {
  return WHEN_QUESTION.some((pattern) => pattern.test(text));
}

export function holdsTimeExpression(text: string): boolean {
  return TIME_EXPRESSION.some((pattern) => pattern.test(text));
}

export function boostDatedTurns(round: RecallRound): void {
  if (round.query.text === undefined || !isWhenQuestion(round.query.text)) return;
  for (const candidate of round.candidates) {
    if (candidate.relevance > 0 && holdsTimeExpression(candidate.memory.text)) candidate.relevance += (1 - candidate.relevance) * DATED_BOOST;
  }
}
