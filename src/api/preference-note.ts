/**
 * MemOS's `pref_string` / `pref_note` of a search: the preferences found, as a numbered list under
 * "Explicit Preference:" (the heading MemOS's clients look for), then a note telling the model how
 * to use them. MemOS's eval scripts append `pref_string` to the prompt as it is. The note is
 * memcube's own wording, in the language of the preferences (Chinese when they are written in it).
 */

const NOTE = {
  en: "Take these preferences into account when you answer: they are what the user said they like, want or avoid. Where a preference conflicts with the question, follow the question.",
  zh: "回答时请考虑以上偏好：它们是用户说过的喜欢、想要或避免的事。若偏好与问题冲突，以问题为准。",
} as const;

const HAN = /\p{Script=Han}/u;

/** The note for these preferences; its language follows theirs. */
export function preferenceNote(preferences: readonly string[]): string {
  const han = preferences.join("").match(new RegExp(HAN.source, "gu"))?.length ?? 0;
  const letters = preferences.join("").match(/\p{L}/gu)?.length ?? 0;
  return han > 0 && han * 2 >= letters ? NOTE.zh : NOTE.en;
}

/** `{pref_string, pref_note}` for one cube's preference hits; nothing when there are none. */
export function preferenceContext(preferences: readonly string[]): { pref_string: string; pref_note: string } | undefined {
  if (preferences.length === 0) return undefined;
  const note = preferenceNote(preferences);
  const list = preferences.map((preference, index) => `${index + 1}. ${preference}`).join("\n");
  return { pref_string: `Explicit Preference:\n${list}\n${note}`, pref_note: note };
}
