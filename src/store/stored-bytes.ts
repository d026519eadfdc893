import type { NewMemory } from "./types.js";

/**
 * What a memory row weighs in its cube's byte quota, kept in the row (`bytes`) so that a cube's
 * usage is a sum over one small column: the UTF-8 bytes of its text, key and background. Its info
 * and its tags are counted once per cube, with the info's and the tag set's own rows.
 */
export function storedBytesOf(memory: Pick<NewMemory, "text" | "key" | "background">): number {
  const utf8 = (text: string) => Buffer.byteLength(text, "utf8");
  return utf8(memory.text) + utf8(memory.key) + utf8(memory.background);
}
