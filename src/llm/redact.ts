// Shapes of credentials that upstream error bodies like to echo back, even partly masked
// ("Incorrect API key provided: sk-abc***xyz"): OpenAI-style keys and bearer tokens.
// Dots only between segments (JWTs), so a sentence's final period survives.
const KEY_LIKE = [/\bsk-[A-Za-z0-9_*-]{4,}/g, /\bBearer\s+[A-Za-z0-9_*~+/=-]{4,}(?:\.[A-Za-z0-9_*~+/=-]+)*/gi];

const REDACTED = "[redacted]";

/** Removes the given secrets and anything that looks like an API key from a message. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a key containing another key is removed whole.
  for (const secret of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(REDACTED);
  }
  for (const pattern of KEY_LIKE) out = out.replace(pattern, REDACTED);
  return out;
}
