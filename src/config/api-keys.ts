import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error.js";
import type { Env } from "./env.js";

/** What a key may do: `write` (the default) reads and writes; `read` only reads (no write-back on chat). */
export type KeyAccess = "read" | "write";

/**
 * One API key and whom it acts as: a user id, or `*` (an admin key that may act as any user). Only
 * the key's SHA-256 digest is kept, whichever form the configuration gave it in.
 */
export interface ApiKeyGrant {
  /** SHA-256 of the key, lower-case hex (64 characters). */
  digest: string;
  actor: string;
  access: KeyAccess;
  /** When `memcube keys add` made it (ISO 8601), when the entry says. */
  createdAt?: string;
}

/** The API's rule for user ids (src/api/schemas/common.ts), repeated so config stays below the API. */
const USER_ID = /^[\p{L}\p{M}\p{N}_\-.:@]{1,128}$/u;
/** Short keys can be guessed; 16 characters of a random token are far out of reach. */
const MIN_KEY_LENGTH = 16;
const MAX_KEY_LENGTH = 512;
const KEY_CHARACTERS = /^[\x21-\x7e]+$/;
/** A hashed entry: `sha256:` and the key's digest in hex. */
const HASHED = /^sha256:([0-9a-fA-F]{64})$/;
const OBJECT_FIELDS = new Set(["user", "access", "created_at"]);

export const sha256Hex = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

const EXAMPLE = '{"<key>": "<user_id>", "sha256:<hex digest of a key>": {"user": "<user_id>", "access": "read"}, "<admin key>": "*"}';

/**
 * `MEMCUBE_API_KEYS` (a JSON object) or `MEMCUBE_API_KEYS_FILE` (a file holding the same JSON).
 * Undefined when neither is set: open mode. See `parseApiKeys` for the entries. Problems name the
 * entry by position, never by its key, so that no error message or log line prints a key.
 */
export function readApiKeys(env: Env): ApiKeyGrant[] | undefined {
  const inline = env.MEMCUBE_API_KEYS?.trim();
  const file = env.MEMCUBE_API_KEYS_FILE?.trim();
  if (inline && file) throw new ConfigError("MEMCUBE_API_KEYS_FILE", "set either MEMCUBE_API_KEYS or MEMCUBE_API_KEYS_FILE, not both");
  if (file) return readApiKeysFile(file);
  return inline ? parseApiKeys("MEMCUBE_API_KEYS", inline) : undefined;
}

/** The keys file, read and checked (also on SIGHUP). */
export function readApiKeysFile(file: string): ApiKeyGrant[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError("MEMCUBE_API_KEYS_FILE", `cannot read ${JSON.stringify(file)} (${code})`);
  }
  return parseApiKeys("MEMCUBE_API_KEYS_FILE", text);
}

/** The keys JSON as an object (its entries in file order); problems never quote the text. */
export function parseKeysObject(variable: string, text: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the error, which may be a key: say only where to look.
    throw new ConfigError(variable, `malformed JSON; expected an object such as ${EXAMPLE}`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new ConfigError(variable, `expected a JSON object such as ${EXAMPLE}`);
  return json as Record<string, unknown>;
}

/**
 * Each entry's name is a key, or `sha256:<hex>` (the key's SHA-256, so the file holds no key); its
 * value is a user id, `"*"` (admin), or `{"user": <user id or "*">, "access": "read" | "write",
 * "created_at": <ISO time>}`.
 */
export function parseApiKeys(variable: string, text: string): ApiKeyGrant[] {
  const entries = Object.entries(parseKeysObject(variable, text));
  if (entries.length === 0) throw new ConfigError(variable, "names no key; unset it for open mode");
  const grants = entries.map(([name, value], index) => parseEntry(variable, `entry ${index + 1}`, name, value));
  // One key may be listed twice (as itself and as its digest), but not with two meanings: which one
  // applied would depend on the order (a read-only entry next to a read-write one would not restrict).
  const first = new Map<string, number>();
  grants.forEach((grant, index) => {
    const earlier = first.get(grant.digest);
    if (earlier === undefined) return void first.set(grant.digest, index);
    const other = grants[earlier] as ApiKeyGrant;
    if (other.actor !== grant.actor || other.access !== grant.access) {
      throw new ConfigError(variable, `entry ${index + 1} is the same key as entry ${earlier + 1} with another user or access; keep one of them`);
    }
  });
  return grants;
}

function parseEntry(variable: string, entry: string, name: string, value: unknown): ApiKeyGrant {
  const hashed = HASHED.exec(name);
  let digest: string;
  if (hashed) digest = (hashed[1] as string).toLowerCase();
  else {
    if (name.startsWith("sha256:")) throw new ConfigError(variable, `${entry}: a hashed key must be sha256: and 64 hex digits`);
    if (name.length < MIN_KEY_LENGTH || name.length > MAX_KEY_LENGTH) {
      throw new ConfigError(
        variable,
        `${entry}: a key must be ${MIN_KEY_LENGTH}-${MAX_KEY_LENGTH} characters long (e.g. \`memcube keys add\` or \`openssl rand -hex 24\`)`,
      );
    }
    if (!KEY_CHARACTERS.test(name)) throw new ConfigError(variable, `${entry}: a key must be printable ASCII without spaces`);
    digest = sha256Hex(name);
  }
  const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
  const fields: Record<string, unknown> = isObject ? (value as Record<string, unknown>) : { user: value };
  const unknown = Object.keys(fields).find((field) => !OBJECT_FIELDS.has(field));
  if (unknown !== undefined) throw new ConfigError(variable, `${entry}: unknown field ${JSON.stringify(unknown)} (expected user, access, created_at)`);
  // NFC, as the API normalizes the ids it is sent: a key's user is the same user however it was typed.
  const actor = typeof fields.user === "string" ? fields.user.normalize("NFC") : fields.user;
  if (typeof actor !== "string" || (actor !== "*" && !USER_ID.test(actor))) {
    const what = isObject ? '"user"' : "the value";
    throw new ConfigError(variable, `${entry}: ${what} must be a user id (1-128 Unicode letters, digits or _ - . : @) or "*" for an admin key`);
  }
  const access = fields.access ?? "write";
  if (access !== "read" && access !== "write") throw new ConfigError(variable, `${entry}: access must be "read" or "write"`);
  const createdAt = fields.created_at;
  if (createdAt !== undefined && (typeof createdAt !== "string" || Number.isNaN(Date.parse(createdAt)))) {
    throw new ConfigError(variable, `${entry}: created_at must be an ISO 8601 time`);
  }
  return { digest, actor, access, ...(createdAt !== undefined && { createdAt }) };
}
