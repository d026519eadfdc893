/**
 * Keeps configured secrets (the API keys of the chat, extraction, embedding and reranking services)
 * out of the error text memcube passes on. Upstream servers echo keys back in every shape: whole,
 * partly masked ("sk-abc…wxyz"), URL-encoded in a URL they quote, base64-encoded in a Basic
 * header they quote. The rule:
 *
 * - every run of MIN_RUN (6) or more consecutive characters of a secret is removed, wherever it
 *   stands, in each of the secret's forms: as written, URL-encoded (either hex case), JSON-escaped,
 *   and base64 (standard and URL-safe, at each of the three byte alignments it can have inside a
 *   longer encoded string);
 * - a secret shorter than MIN_RUN is removed only whole (and not at all below 4 characters: it
 *   would mangle ordinary words);
 * - anything shaped like an API key or a bearer token (`sk-…`, `Bearer …`) is removed whatever it is.
 *
 * Six characters of a key leave far too little to guess the rest from, and a run that long of
 * ordinary text matching a random key is unlikely; what is removed is at worst a few characters of
 * an error message.
 */

/** The shortest run of a secret's characters that is removed on its own. */
export const MIN_RUN = 6;
const MIN_WHOLE = 4;

// Dots only between segments (JWTs), so a sentence's final period survives.
const KEY_LIKE = [/\bsk-[A-Za-z0-9_*-]{4,}/g, /\bBearer\s+[A-Za-z0-9_*~+/=-]{4,}(?:\.[A-Za-z0-9_*~+/=-]+)*/gi];

const REDACTED = "[redacted]";

/** The part of base64(prefix of `shift` bytes + secret) that depends on the secret's bytes alone. */
function base64Core(bytes: Uint8Array, shift: number): string {
  const padded = new Uint8Array(shift + bytes.length);
  padded.set(bytes, shift);
  const encoded = Buffer.from(padded).toString("base64").replace(/=+$/, "");
  const first = Math.ceil((shift * 8) / 6);
  const whole = Math.floor((padded.length * 8) / 6); // a last character that also holds padding bits depends on what follows
  return encoded.slice(first, whole);
}

/** Every form in which the secret may appear in a message. */
export function secretForms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const urlEncoded = encodeURIComponent(secret);
  const forms = new Set([secret, urlEncoded, urlEncoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()), JSON.stringify(secret).slice(1, -1)]);
  for (const shift of [0, 1, 2]) {
    const core = base64Core(bytes, shift);
    forms.add(core);
    forms.add(core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return [...forms].filter((form) => form.length > 0);
}

/** Marks in `hidden` the characters of `text` that belong to a run of MIN_RUN characters of `form` (or to `form` whole, when shorter). */
function markForm(text: string, form: string, hidden: boolean[]): void {
  if (form.length < MIN_RUN) {
    if (form.length < MIN_WHOLE) return;
    for (let at = text.indexOf(form); at !== -1; at = text.indexOf(form, at + 1)) hidden.fill(true, at, at + form.length);
    return;
  }
  const runs = new Set<string>();
  for (let start = 0; start + MIN_RUN <= form.length; start++) runs.add(form.slice(start, start + MIN_RUN));
  for (let start = 0; start + MIN_RUN <= text.length; start++) {
    if (runs.has(text.slice(start, start + MIN_RUN))) hidden.fill(true, start, start + MIN_RUN);
  }
}

/** The text with every form of every secret (see the rule above) and anything key-like replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const hidden: boolean[] = new Array<boolean>(text.length).fill(false);
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_WHOLE) continue;
    for (const form of secretForms(secret)) markForm(text, form, hidden);
  }
  let out = "";
  for (let index = 0; index < text.length; index++) {
    if (!hidden[index]) out += text[index];
    else if (index === 0 || !hidden[index - 1]) out += REDACTED;
  }
  for (const pattern of KEY_LIKE) out = out.replace(pattern, REDACTED);
  return out;
}
