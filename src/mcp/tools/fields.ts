/** Argument schemas several tools share, with the API's limits and descriptions a model can act on. */
import { z } from "zod";

/** memcube's ids: 1-128 letters, digits or _ - . : @ (NFC), as the API takes them. */
export const CubeId = z
  .string()
  .transform((id) => id.normalize("NFC"))
  .refine((id) => /^[\p{L}\p{M}\p{N}_\-.:@]{1,128}$/u.test(id), "expected 1-128 letters, digits or _ - . : @");

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
