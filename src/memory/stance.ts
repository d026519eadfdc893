/**
 * Whether a message states a preference of its speaker, read from closed word classes only: a
 * first-person subject (I, we, my …; 我; ich), a verb of attitude or want (like, love, prefer,
 * hate, avoid, want, need …), a negation or a modal (have to, can only; 只能, 必须; muss). No topic word is listed: "I never fly" and "I can't eat gluten" are
 * found by "I never" and "I can't", whatever they are about. This is what fast mode lists in
 * `pref_mem` (no model reads the message); the text itself is never changed or copied.
 */
import { LruCache } from "../embed/lru.js";

/** Present-tense first-person attitudes and wants: lasting likes and dislikes, not what happened once. */
const ATTITUDE_EN = "(?:like|love|adore|enjoy|prefer|hate|dislike|detest|loathe|avoid|fancy|want|need|wish)";
const ADVERB_EN = "(?:really|truly|absolutely|totally|just|actually|always|usually|generally|much|definitely|honestly|also|still|kind of|sort of)";
/** Negations and negated modals of the present: "didn't" and "haven't" tell of a past, not a stance. */
const NEGATION_EN = "(?:don't|do not|doesn't|does not|never|can't|cannot|can not|won't|will not|not|isn't|aren't|shouldn't|mustn't)";
/** Cognition verbs after a negation are hedges ("I don't know"), not stances. */
const HEDGE_EN = "(?:know|think|remember|recall|understand|mean|believe|see|get|care|mind|wait|sure|certain|yet|really know)";
/**
 * Whose stance counts: the speaker, someone of theirs ("my son doesn't eat …"), or someone the
 * speaker talks about by pronoun ("she can't eat spicy food": in a user's own message, mostly
 * someone of theirs).
 */
const PERSON_EN = "(?:i|we|she|he|they|my \\w+|our \\w+)";
const SUBJECT_EN = `${PERSON_EN}(?:'m|'re|'s| am| are| is)?`;
/**
 * What follows a copula when it does not describe its subject: prepositions, determiners and
 * adverbs of place, verb forms of a plan or a passing state ("I'm looking for", "I'm in town",
 * "she's here"), and the words of politeness and assent ("I'm sure", "I'm sorry", "I'm fine").
 */
const NOT_A_DESCRIPTION_EN =
  "(?:\\w+ing|\\w+ed|in|on|at|to|from|with|for|by|about|into|off|out|over|up|down|back|away|here|there|home|the|this|that|these|those|my|your|his|her|our|their|it|so|too|just|also|still|now|then|all|done|ready|sure|sorry|glad|happy|fine|good|great|ok|okay|alright|right|afraid|thinking|going|coming|gonna|trying|looking|able|not sure|\\d+)";

const STANCE_EN = [
  // I (really) like / love / prefer / hate / avoid …; my son hates …
  new RegExp(`\\b${PERSON_EN}(?: ${ADVERB_EN})* ${ATTITUDE_EN}s?\\b`, "i"),
  // I'd rather / I would rather / I'd prefer / I'd like / I would love
  /\b(?:i|we)(?:'d| would)(?: much| really)? (?:rather|prefer|like|love)\b/i,
  // modals of obligation and limit: I have to / we must / I can only
  /\b(?:i|we)(?: really| usually| always)? (?:have to|must|can only|only|need to)\b/i,
  // my favourite … / our favorite …
  /\b(?:my|our|her|his|their) (?:\w+ )?favou?rites?\b/i,
  // what someone is (a copula and its description, not a plan or a place): "I'm vegetarian", "she is lactose intolerant"
  new RegExp(
    `\\b(?:i|we|she|he|they)(?:'m|'re|'s| am| are| is)(?: (?:a|an|very|quite|really|pretty|so|severely|strictly|mostly|also|always))* (?!${NOT_A_DESCRIPTION_EN}\\b)[a-z]+\\b`,
    "i",
  ),
  // I don't / I never / I can't / I'm not … (not "I don't know")
  new RegExp(`\\b${SUBJECT_EN}(?: ${ADVERB_EN})* ${NEGATION_EN}(?! ${HEDGE_EN}\\b)(?: ${ADVERB_EN})* \\w+`, "i"),
  // can't stand, not a fan of: fixed phrases of dislike
  /\bcan(?:'t|not) stand\b/i,
  /\bnot (?:a|much of a|the biggest) fan of\b/i,
];

const ADVERB_ZH = "(?:也|都|很|真|最|还是|一直|从来|特别|比较|非常|真的|一向|向来|其实|本来|平时|一般|实在|确实|就|超|挺)";
/** 怕 and 害怕 only right after the subject (and its adverbs): 恐怕, 可怕 and 哪怕 are not fear. */
const ATTITUDE_ZH =
  "(?:喜欢|爱|偏爱|更爱|热爱|偏好|讨厌|不喜欢|不爱|受不了|忍不了|避免|害怕|怕|宁愿|宁可|最爱|想要|需要|希望|只能|必须|要|想(?!到|起|过|知道|问|了))";
/** A negation or negated modal of the present (不太 too); "我不(太)知道" is a hedge, not a stance. */
const NEGATION_ZH = "(?:不|从不|绝不|不能|不会|不想|不要|不用|没法|不敢)(?!太?(?:知道|确定|记得|清楚|是|在|过|了|懂|明白|认为|觉得))";
/** The potential complement's negation: 吃不了, 受不了, 睡不惯 ("cannot", "not used to"). */
const CANNOT_ZH = "\\p{Script=Han}{1,2}不(?:了|下|惯|来)";
/** The speaker, or someone they speak of by pronoun (她不吃香菜). */
const PERSON_ZH = "(?:我们|她们|他们|我|她|他)";
/**
 * Chinese drops a subject the sentence already has: a clause that opens with a verb of attitude or
 * want (…，想住近一点的, …，不喜欢排队) is the speaker's too. Only the explicit verbs here:
 * a bare 要 or 不 opening a clause is too often something else (要是, 不过).
 */
const DROPPED_SUBJECT_ZH = "(?:想要|想(?!到|起|过|知道|问|了|法)|希望|喜欢|不喜欢|讨厌|受不了|需要|最好是)";
const STANCE_ZH = [
  new RegExp(`${PERSON_ZH}${ADVERB_ZH}*(?:${ATTITUDE_ZH}|${NEGATION_ZH}|${CANNOT_ZH})`, "u"),
  /我(?:们)?的?最爱/u,
  new RegExp(`(?:^|[，,。！!？?；;])\\s*${ADVERB_ZH}*${DROPPED_SUBJECT_ZH}`, "u"),
];

const ATTITUDE_DE =
  "(?:mag|mögen|liebe|lieben|hasse|hassen|bevorzuge|bevorzugen|vermeide|vermeiden|meide|meiden|möchte|möchten|will|wollen|brauche|brauchen|wünsche|wünschen|muss|müssen)";
/** The same verbs for someone the speaker speaks of (er, sie, mein Mann …): "sie liebt", "er mag keine". */
const ATTITUDE_DE_THIRD = "(?:mag|liebt|hasst|bevorzugt|vermeidet|meidet|möchte|will|braucht|wünscht|muss|kann nicht|kann kein\\p{L}*)";
const STANCE_DE = [
  new RegExp(`\\b(?:ich|wir)(?: (?:wirklich|total|sehr|echt|eigentlich|auch|immer|einfach))* ${ATTITUDE_DE}\\b`, "iu"),
  new RegExp(
    `\\b(?:er|sie|(?:mein|meine|unser|unsere) \\p{L}+)(?: (?:wirklich|total|sehr|echt|eigentlich|auch|immer|einfach))* ${ATTITUDE_DE_THIRD}(?![\\p{L}])`,
    "iu",
  ),
  // ich esse kein …, ich trinke nie …, ich fahre lieber …, wir essen gern …; not "ich weiß nicht"
  /\b(?:ich|wir) (?!(?:weiß|wissen|glaube|glauben|denke|denken|verstehe|verstehen)(?:\s|$))\p{L}+(?: \p{L}+)? (?:nicht|nie|niemals|kein|keine|keinen|keinem|lieber|gern|gerne|am liebsten)(?![\p{L}])/iu,
  /\b(?:mein|meine|meinen|unser|unsere)\s+lieblings/iu,
  /\blieblings\p{L}+/iu,
  /\bmir (?:gefällt|gefallen|schmeckt|schmecken)\b/iu,
];

/**
 * Texts already read, and whether they state a preference: a cube's user messages are read again
 * by search after search (the same hundred nearest an advice request, each through some twenty
 * patterns). Keyed by the text itself, so an edited memory is read anew.
 */
const READ = new LruCache<string, boolean>(20_000);

/** Whether the text states its speaker's (or their family's) likes, dislikes or limits. */
export function statesPreference(text: string): boolean {
  const known = READ.get(text);
  if (known !== undefined) return known;
  const plain = text.replaceAll("\u2019", "'");
  const stated =
    STANCE_EN.some((pattern) => pattern.test(plain)) || STANCE_ZH.some((pattern) => pattern.test(plain)) || STANCE_DE.some((pattern) => pattern.test(plain));
  READ.set(text, stated);
  return stated;
}
