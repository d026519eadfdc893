import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error.js";
import type { Env } from "./env.js";

/** One API key and whom it acts as: a user id, or `*` (an admin key that may act as any user). */
export interface ApiKeyGrant {
  key: string;
  actor: string;
}

/** The API's rule for user ids (src/api/schemas/common.ts), repeated so config stays below the API. */
const USER_ID = /^[A-Za-z0-9_\-.:@]{1,128}$/;
/** Short keys can be guessed; 16 characters of a random token are far out of reach. */
const MIN_KEY_LENGTH = 16;
const MAX_KEY_LENGTH = 512;
const KEY_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * `MEMCUBE_API_KEYS` (a JSON object `{"<key>": "<user_id>" | "*"}`) or `MEMCUBE_API_KEYS_FILE` (a file
 * holding the same JSON). Undefined when neither is set: open mode. Problems name the entry by
 * position, never by its key, so that no error message or log line prints a key.
 */
export function readApiKeys(env: Env): ApiKeyGrant[] | undefined {
  const inline = env.MEMCUBE_API_KEYS?.trim();
  const file = env.MEMCUBE_API_KEYS_FILE?.trim();
  if (inline && file) throw new ConfigError("MEMCUBE_API_KEYS_FILE", "set either MEMCUBE_API_KEYS or MEMCUBE_API_KEYS_FILE, not both");
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ConfigError("MEMCUBE_API_KEYS_FILE", `cannot read ${JSON.stringify(file)} (${code})`);
    }
    return parseGrants("MEMCUBE_API_KEYS_FILE", text);
  }
  return inline ? parseGrants("MEMCUBE_API_KEYS", inline) : undefined;
}

function parseGrants(variable: string, text: string): ApiKeyGrant[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the error, which may be a key: say only where to look.
    throw new ConfigError(variable, 'malformed JSON; expected an object such as {"<key>": "<user_id>", "<admin key>": "*"}');
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ConfigError(variable, 'expected a JSON object such as {"<key>": "<user_id>", "<admin key>": "*"}');
  }
  const entries = Object.entries(json);
  if (entries.length === 0) throw new ConfigError(variable, "names no key; unset it for open mode");
  return entries.map(([key, actor], index) => {
    const entry = `entry ${index + 1}`;
    if (key.length < MIN_KEY_LENGTH || key.length > MAX_KEY_LENGTH) {
      throw new ConfigError(variable, `${entry}: a key must be ${MIN_KEY_LENGTH}-${MAX_KEY_LENGTH} characters long (e.g. \`openssl rand -hex 24\`)`);
    }
    if (!KEY_CHARACTERS.test(key)) throw new ConfigError(variable, `${entry}: a key must be printable ASCII without spaces`);
    if (typeof actor !== "string" || (actor !== "*" && !USER_ID.test(actor))) {
      throw new ConfigError(variable, `${entry}: the value must be a user id (1-128 letters, digits or _ - . : @) or "*" for an admin key`);
    }
    return { key, actor };
  });
}
