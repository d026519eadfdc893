/**
 * Reading JSON from language models, which wrap it in code fences, put prose around it, leave
 * trailing commas, or stop before the last bracket. Small local models do all of these.
 */

export class LooseJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LooseJsonError";
  }
}

const FENCE = /```[a-zA-Z]*\s*\n?([\s\S]*?)(?:```|$)/;

/**
 * The first JSON object or array in the text, re-assembled: trailing commas dropped, and the
 * brackets still open at the end closed (an answer cut off between two items keeps the items
 * before the cut). Strings are copied as they are. Undefined when no bracket opens.
 */
export function firstJsonValue(text: string): string | undefined {
  const start = text.search(/[[{]/);
  if (start < 0) return undefined;
  const closers: string[] = [];
  let out = "";
  let inString = false;
  let escaped = false;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index] as string;
    if (inString) {
      out += char;
      if (escaped) escaped = false;
      else if (char === "\\") escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
    } else if (char === "{" || char === "[") {
      closers.push(char === "{" ? "}" : "]");
      out += char;
    } else if (char === "}" || char === "]") {
      out = out.replace(/,\s*$/, ""); // a trailing comma before the bracket
      out += closers.pop() ?? char;
      if (closers.length === 0) return out;
    } else {
      out += char;
    }
  }
  // Cut off mid-string: what is left of that item cannot be trusted, so give up on the repair.
  if (inString) return undefined;
  out = out.replace(/,\s*$/, "").replace(/[:]\s*$/, ": null");
  return out + closers.reverse().join("");
}

/**
 * Parses a model's JSON answer: as is; else inside a code fence; else the first object or array
 * found, repaired. Throws LooseJsonError (with the parser's reason, never the text) when nothing works.
 */
export function parseLooseJson(raw: string): unknown {
  const text = raw.trim();
  const attempts: string[] = [text];
  const fenced = FENCE.exec(text)?.[1]?.trim();
  if (fenced) attempts.push(fenced);
  for (const candidate of [text, fenced]) {
    const value = candidate === undefined ? undefined : firstJsonValue(candidate);
    if (value !== undefined) attempts.push(value);
  }
  if (!/[[{]/.test(text)) throw new LooseJsonError(text === "" ? "the answer was empty" : "no JSON object or array found");
  let reason = "not valid JSON";
  for (const attempt of attempts) {
    try {
      return JSON.parse(attempt) as unknown;
    } catch (error) {
      // V8 quotes part of the input in newer versions; keep only the position.
      const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
      reason = position === undefined ? "not valid JSON" : `not valid JSON (at character ${position})`;
    }
  }
  throw new LooseJsonError(reason);
}
