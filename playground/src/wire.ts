/**
 * The wire types the page reads, inferred from the server's own Zod schemas: `import type` is erased
 * at build time, so nothing of Zod reaches the bundle, and a change of the API breaks this typecheck.
 */
import type { z } from "zod";
import type { ChatFrame as ChatFrameSchema, ModelsData as ModelsDataSchema } from "../../src/api/schemas/chat.js";
import type { CubeBucket as CubeBucketSchema, MemoryItem as MemoryItemSchema } from "../../src/api/schemas/common.js";
import type { MemoryWithHistory as MemoryWithHistorySchema, SearchData as SearchDataSchema } from "../../src/api/schemas/memory.js";

export type MemoryItem = z.infer<typeof MemoryItemSchema>;
export type MemoryDetail = z.infer<typeof MemoryWithHistorySchema>;
export type CubeBucket = z.infer<typeof CubeBucketSchema>;
export type SearchData = z.infer<typeof SearchDataSchema>;
export type ModelsData = z.infer<typeof ModelsDataSchema>;
export type ChatFrame = z.infer<typeof ChatFrameSchema>;
export type ChatTiming = Extract<ChatFrame, { type: "time" }>["data"];
export type ShareAccess = "read" | "write" | "none";
