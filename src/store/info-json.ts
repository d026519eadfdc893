import { createHash } from "node:crypto";

/** A memory's request-level `info` as the stores keep it: its JSON text and that text's SHA-256. */
export interface EncodedInfo {
  json: string;
  digest: string;
  /** UTF-8 bytes of the JSON text: what the info weighs in its cube's byte quota. */
  bytes: number;
}

/**
 * Encodings by object: the memories of one add share one info object, so its JSON is made once
 * however many memories carry it (info objects are never changed once handed to a store).
 */
const encoded = new WeakMap<object, EncodedInfo | null>();

export function digestOf(json: string): string {
  return createHash("sha256").update(json, "utf8").digest("hex");
}

/**
 * The info to store once per cube, or null for an empty one (nothing is stored for it). JSON, not
 * an object copy: a key such as `__proto__` stays data.
 */
export function encodeInfo(info: Record<string, unknown>): EncodedInfo | null {
  const known = encoded.get(info);
  if (known !== undefined) return known;
  const json = JSON.stringify(info);
  const result = json === "{}" ? null : { json, digest: digestOf(json), bytes: Buffer.byteLength(json, "utf8") };
  encoded.set(info, result);
  return result;
}
