/**
 * The wire types the page reads, inferred from the server's own Zod schemas: `import type` is erased
 * at build time, so nothing of Zod reaches the bundle, and a change of the API breaks this typecheck.
 */
import type { z } from "zod";
import type { ChatFrame as ChatFrameSchema, ModelsData as ModelsDataSchema } from "../../src/api/schemas/chat.js";
import type { CubeBucket as CubeBucketSchema, GraphNode as GraphNodeSchema, MemoryItem as MemoryItemSchema } from "../../src/api/schemas/common.js";
import type { ListedCube as ListedCubeSchema } from "../../src/api/schemas/cubes.js";
import type {
  AddedMemory as AddedMemorySchema,
  GetAllData as GetAllDataSchema,
  GetMemoryData as GetMemoryDataSchema,
  MemoryWithHistory as MemoryWithHistorySchema,
  SearchData as SearchDataSchema,
} from "../../src/api/schemas/memory.js";

/** A search or chat hit (with its relativity and ref_id). */
export type MemoryItem = z.infer<typeof MemoryItemSchema>;
/** A listed memory (get_memory, get_all). */
export type GraphNode = z.infer<typeof GraphNodeSchema>;
export type MemoryKinds = z.infer<typeof GetMemoryDataSchema>;
export type MemoryDetail = z.infer<typeof MemoryWithHistorySchema>;
export type CubeBucket = z.infer<typeof CubeBucketSchema>;
export type SearchData = z.infer<typeof SearchDataSchema>;
export type ModelsData = z.infer<typeof ModelsDataSchema>;
export type ChatFrame = z.infer<typeof ChatFrameSchema>;
export type ChatTiming = Extract<ChatFrame, { type: "time" }>["data"];
export type ShareAccess = "read" | "write" | "none";
export type CubeListing = z.infer<typeof ListedCubeSchema>;
export type GetAllData = z.infer<typeof GetAllDataSchema>;
export type AddedMemory = z.infer<typeof AddedMemorySchema>;
