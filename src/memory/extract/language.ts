/** Which language the user speaks, as far as extraction needs to know. */
export type ConversationLanguage = "zh" | "en";

const HAN = /\p{Script=Han}/gu;
const LETTER = /\p{L}/gu;

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

/**
 * Chinese when Han characters are at least a third of the letters the user wrote: one character
 * says as much as several Latin letters, and Chinese users mix in English names ("我在 Google 工作").
 * Only the user's messages count: an assistant answering in English does not change the user's language.
 */
export function conversationLanguage(userTexts: readonly string[]): ConversationLanguage {
  const text = userTexts.join("\n");
  const letters = count(text, LETTER);
  return letters > 0 && count(text, HAN) * 3 >= letters ? "zh" : "en";
}

export function containsHan(text: string): boolean {
  return count(text, HAN) > 0;
}
