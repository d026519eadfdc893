import { ConfigError } from "./config-error.js";

const VARIABLE = "BUSINESS_CHAT_KEYS";
const EXAMPLE = '["<key of one business client>", "<key of another>"]';

/**
 * BUSINESS_CHAT_KEYS, as MemOS reads it: a JSON list of the keys `chat/stream/business_user`
 * accepts as `business_key`. Unset or empty: none, and that route refuses every request. The keys
 * are secrets: an error names their position, never their text.
 */
export function parseBusinessChatKeys(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(VARIABLE, `not valid JSON; expected a list like ${EXAMPLE}`);
  }
  if (!Array.isArray(parsed)) throw new ConfigError(VARIABLE, `expected a JSON list of strings, like ${EXAMPLE}`);
  return parsed.map((key: unknown, index) => {
    if (typeof key !== "string" || key.trim() === "") throw new ConfigError(VARIABLE, `entry ${index}: expected a non-empty string`);
    return key;
  });
}
