import type { Context } from "hono";
import type { Limits } from "../../config/index.js";
import type { MemoryContext } from "../../memory/context.js";
import { cubesOfMemories, memoriesByIds } from "../../memory/lookup.js";
import { readerOf } from "../acting-user.js";
import type { AppEnv, App } from "../app-env.js";
import { memoryItem } from "../present.js";
import { postJson } from "../route.js";
import { MAX_LOOKUP_IDS, MemoriesByIdsData, UserNamesData, memoryIdsBody, userNamesRequest } from "../schemas/memory-lookup.js";

/** The ids a lookup reads: MemOS sets no limit, so more are not refused; the rest is dropped and the header says so. */
function clampIds(c: Context<AppEnv>, route: string, ids: readonly string[]): readonly string[] {
  if (ids.length <= MAX_LOOKUP_IDS) return ids;
  c.header("x-memcube-notice", `${route}: ${ids.length} ids given, only the first ${MAX_LOOKUP_IDS} were read`);
  return ids.slice(0, MAX_LOOKUP_IDS);
}

/** MemOS's lookups of memories by id, across cubes. */
export function memoryLookupRoutes(app: App, context: MemoryContext, limits: Limits): void {
  postJson(
    app,
    limits,
    {
      path: "/product/get_memory_by_ids",
      caller: "key", // no user in the body: a user key sees its user's readable cubes, open mode and admin keys all
      readOnly: true,
      tag: "memory",
      summary: "Memories by id (the body is a bare JSON array of ids)",
      body: memoryIdsBody,
      data: MemoriesByIdsData,
      message: "Memories retrieved successfully",
    },
    async (ids, c) => {
      const memories = await memoriesByIds(context, clampIds(c, "get_memory_by_ids", ids), readerOf(c));
      return { memories: memories.map((memory) => memoryItem(memory)) };
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/get_user_names_by_memory_ids",
      caller: "admin", // it tells whose cube holds any memory: with API keys, an admin key only
      readOnly: true,
      tag: "memory",
      summary: "The cube holding each memory (with API keys: an admin key)",
      body: userNamesRequest,
      data: UserNamesData,
      message: "Successfully",
    },
    async (body, c) => Object.fromEntries(await cubesOfMemories(context, clampIds(c, "get_user_names_by_memory_ids", body.memory_ids))),
  );
}
