/**
 * A question that names a month ("What did we do in March?", 三月, im März) ranks the turns of that
 * month: a turn said in it (its `chat_time`), or one whose relative date ("yesterday", "last month",
 * 上个月, letzte Woche), resolved against its `chat_time`, falls in it, or that names the month itself.
 * Months and relative dates are closed classes. A relevant turn moves part of the way towards 1;
 * one of zero relevance stays at zero.
 */
import type { RecallRound } from "./candidate.js";

/** How far a turn of the month named moves towards 1. */
export const NAMED_MONTH_BOOST = 0.15;

const MONTH_NAMES: readonly (readonly string[])[] = [
  ["january", "januar", "jan"],
  ["february", "februar", "feb"],
  ["march", "märz", "maerz"],
  ["april"],
  ["may", "mai"],
  ["june", "juni"],
  ["july", "juli"],
  ["august"],
  ["september", "sept"],
  ["october", "oktober", "oct", "okt"],
  ["november", "nov"],
  ["december", "dezember", "dec", "dez"],
];
const HAN_MONTHS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];

/** Whether "May" stands inside a sentence (the modal opens questions: "May I?"). */
const insideSentence = (text: string, at: number) => /[^\s.!?¿¡]\s*$/u.test(text.slice(0, at));

/** The months (1–12) a text names; "May" only capitalised inside a sentence (the modal is not a month). */
export function monthsNamed(text: string): Set<number> {
  const months = new Set<number>();
  for (const match of text.matchAll(/\p{L}+/gu)) {
    const word = match[0];
    const index = MONTH_NAMES.findIndex((names) => names.includes(word.toLowerCase()));
    if (index >= 0 && (index !== 4 || word === "Mai" || (word === "May" && insideSentence(text, match.index)))) months.add(index + 1);
  }
  for (const match of text.matchAll(/(?<![0-9〇零一二三四五六七八九十])(十[一二]|[一二三四五六七八九十]|1[0-2]|0?[1-9])月/gu)) {
    const written = match[1] ?? "";
    const number = /\d/.test(written) ? Number(written) : HAN_MONTHS.indexOf(written) + 1;
    if (number >= 1 && number <= 12) months.add(number);
  }
  return months;
}

const DAYS_BACK: readonly [RegExp, number][] = [
  [/\b(?:yesterday|gestern)\b|昨天|昨晚/iu, 1],
  [/\bvorgestern\b|前天/iu, 2],
  [/\blast week\b|\bletzte woche\b|上周|上星期|上个星期/iu, 7],
];
const MONTHS_BACK: readonly [RegExp, number][] = [
  [/\blast month\b|\bletzten monat\b|上个月/iu, 1],
  [/\bnext month\b|\bnächsten monat\b|下个月/iu, -1],
];

/** The month (1–12) a turn tells of: its relative date resolved against its chat time, else the chat time's. */
export function monthOf(text: string, chatTime: string): number | undefined {
  const said = new Date(chatTime);
  if (Number.isNaN(said.getTime())) return undefined;
  for (const [pattern, days] of DAYS_BACK) if (pattern.test(text)) return new Date(said.getTime() - days * 86_400_000).getUTCMonth() + 1;
  for (const [pattern, months] of MONTHS_BACK) if (pattern.test(text)) return ((said.getUTCMonth() - months + 12) % 12) + 1;
  const ago = /\b(\d{1,2}) days ago\b|\bvor (\d{1,2}) tagen\b|(\d{1,2})天前/iu.exec(text);
  if (ago) return new Date(said.getTime() - Number(ago[1] ?? ago[2] ?? ago[3]) * 86_400_000).getUTCMonth() + 1;
  return said.getUTCMonth() + 1;
}

export function boostNamedMonth(round: RecallRound): void {
  if (round.query.text === undefined) return;
  const asked = monthsNamed(round.query.text);
  if (asked.size === 0) return;
  for (const candidate of round.candidates) {
    if (candidate.relevance <= 0) continue;
    const { text, chatTime } = candidate.memory;
    const month = monthOf(text, chatTime);
    const names = [...monthsNamed(text)].some((named) => asked.has(named));
    if (names || (month !== undefined && asked.has(month))) candidate.relevance += (1 - candidate.relevance) * NAMED_MONTH_BOOST;
  }
}
