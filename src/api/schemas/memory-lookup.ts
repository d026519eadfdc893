import { z } from "zod";
import { MemoryItem } from "./common.js";

/** Ids read per request; more are not refused (MemOS has no limit): the rest is left out and the answer says so. */
export const MAX_LOOKUP_IDS = 1000;

const MemoryIdText = z.string().max(256, "longer than 256 characters");

export const memoryIdsBody = z
  .array(MemoryIdText)
  .describe(`A bare JSON array of memory ids, as MemOS takes it; the first ${MAX_LOOKUP_IDS} are read`)
  .meta({ id: "MemoryIdsBody" });

export const MemoriesByIdsData = z
  .object({ memories: z.array(MemoryItem).describe("In the order asked; unknown ids and memories of cubes the caller may not read are left out") })
  .meta({ id: "MemoriesByIdsData" });

export const userNamesRequest = z
  .object({ memory_ids: z.array(MemoryIdText).describe(`The first ${MAX_LOOKUP_IDS} are read`) })
  .meta({ id: "UserNamesByMemoryIdsRequest" });

export const UserNamesData = z
  .record(z.string(), z.string().nullable())
  .describe("Each memory id → the cube holding it (MemOS's user_name), null when unknown")
  .meta({ id: "UserNamesByMemoryIds" });
