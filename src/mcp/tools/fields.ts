/** Argument schemas several tools share, with the API's limits and descriptions a model can act on. */
import { z } from "zod";

/** memcube's ids: 1-128 letters, digits or _ - . : @, compared in NFC as the API stores them. */
export const CubeId = z
  .string()
  .min(1)
  .max(128)
  // A refinement, not a pattern: \p{…} classes in a JSON-schema pattern break clients whose regex engine lacks them.
  .refine((id) => /^[\p{L}\p{M}\p{N}_\-.:@]{1,128}$/u.test(id), "expected 1-128 letters, digits or _ - . : @")
  .transform((id) => id.normalize("NFC"));

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text as the API takes it (src/api/schemas/common.ts): no NUL, no unpaired surrogate, something
 * besides spaces. Its length is the server's limit (MEMCUBE_MAX_MESSAGE_CHARS), checked by the port.
 */
export const Text = (what: string) =>
  z
    .string()
    .refine((text) => text.trim() !== "", `${what} is empty`)
    .refine((text) => !text.includes("\u0000"), "must not contain NUL (\\u0000) characters")
    .refine((text) => !LONE_SURROGATE.test(text), "contains an unpaired surrogate (invalid Unicode)");

export const cubeId = (what: string) => CubeId.optional().describe(`${what} Leave it out for your own cube (it has your user id as its id).`);

export const cubeIds = z
  .array(CubeId)
  .min(1, "name at least one cube, or leave cube_ids out")
  .max(100)
  .optional()
  .describe("Cubes to read (list_cubes shows which you may use). Leave it out to use your own cube.");

export const sessionId = z
  .string()
  .min(1)
  .max(256)
  .optional()
  .describe("A conversation or task id: memories of one session are kept together and rank higher when searching from it.");

export const MemoryId = z.string().min(1, "expected a memory id (from search_memory or list_memories)").max(128);

/** A conversation message as add_memory and feedback take it. */
export const Message = z.object({
  role: z.enum(["user", "assistant", "system"]).describe("Who said it."),
  content: Text("the message"),
});
