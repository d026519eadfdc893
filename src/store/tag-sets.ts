import { digestOf } from "./info-json.js";

/** A memory's tags as the stores keep them: one tag set per cube and distinct list, which memories point at. */
export interface EncodedTags {
  /** The list as JSON text, in the order given (a memory reads back its tags as written). */
  json: string;
  digest: string;
  /** UTF-8 bytes of the tags: what the set weighs in its cube's byte quota, counted once per cube. */
  bytes: number;
}

/**
 * Encodings by list: the memories of one add share one tags array, so its JSON and digest are made
 * once however many memories carry it (tag lists are never changed once handed to a store).
 */
const encoded = new WeakMap<readonly string[], EncodedTags | null>();

/** The sum of the tags' UTF-8 bytes (as the schema migrations compute it for existing rows). */
export function tagBytesOf(tags: readonly string[]): number {
  return tags.reduce((sum, tag) => sum + Buffer.byteLength(tag, "utf8"), 0);
}

/** The tag set to store once per cube, or null for no tags (nothing is stored for them). */
export function encodeTags(tags: readonly string[]): EncodedTags | null {
  const known = encoded.get(tags);
  if (known !== undefined) return known;
  const json = JSON.stringify(tags);
  const result = tags.length === 0 ? null : { json, digest: digestOf(json), bytes: tagBytesOf(tags) };
  encoded.set(tags, result);
  return result;
}
