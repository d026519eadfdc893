import { isPreference, type PromptLanguage, type PromptMemory } from "./prompt.js";

const HEADINGS: Record<PromptLanguage, string> = { en: "**Your preferences taken into account**", zh: "**参考的偏好**" };

/**
 * The preferences among the memories a chat was shown, as a short Markdown list for a playground to
 * display beside the answer; "" when there were none. Each text is one list item, its line breaks
 * folded, so that a memory cannot start Markdown blocks of its own.
 */
export function preferenceMarkdown(memories: readonly PromptMemory[], language: PromptLanguage): string {
  const preferences = memories.filter(isPreference);
  if (preferences.length === 0) return "";
  const items = preferences.map(({ memory }) => `- ${memory.text.replace(/\s+/g, " ").trim()}`);
  return `${HEADINGS[language]}\n\n${items.join("\n")}`;
}
