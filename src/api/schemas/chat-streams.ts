import { z } from "zod";
import type { Limits } from "../../config/index.js";
import { MemoryItem } from "./common.js";
import { chatRequest } from "./chat.js";

export const playgroundChatRequest = (limits: Limits) =>
  chatRequest(limits)
    .extend({ beginner_guide_step: z.string().max(64).optional().describe("Accepted; MemOS's canned beginner-guide answers are not reproduced") })
    .meta({ id: "PlaygroundChatRequest" });

export const businessChatRequest = (limits: Limits) =>
  chatRequest(limits)
    .extend({
      business_key: z.string().min(1).max(512).describe("One of BUSINESS_CHAT_KEYS"),
      need_search: z.boolean().default(false).describe("false (default): no memory is recalled; the model answers from the history alone"),
    })
    .meta({ id: "BusinessChatRequest" });

/** The frames of /product/chat/stream/playground, in order; each `data: <json>\n\n`. */
export const PlaygroundFrame = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("status"), data: z.enum(["0", "1", "2"]) }),
    z.object({ type: z.literal("reference"), data: z.array(MemoryItem) }),
    z.object({ type: z.literal("pref_md_string"), data: z.string().describe('The preferences shown to the model, as Markdown; "" when none') }),
    z.object({ type: z.literal("reasoning"), data: z.string() }),
    z.object({ type: z.literal("text"), data: z.string() }),
    z.object({
      type: z.literal("time"),
      data: z.object({
        total_time: z.number(),
        speed_improvement: z.string().describe('Always "n/a": memcube does not estimate a speed-up'),
        search_time: z.number(),
        first_token_time: z.number(),
      }),
    }),
    z.object({ type: z.literal("suggestion"), data: z.array(z.string()).describe("Questions the user might ask next ([] when none could be made)") }),
    z.object({ type: z.literal("end") }),
    z.object({ type: z.literal("error"), data: z.string(), content: z.string() }),
  ])
  .meta({ id: "PlaygroundFrame" });
export type PlaygroundFrame = z.infer<typeof PlaygroundFrame>;

/** The frames of /product/chat/stream/business_user: the answer's pieces only, as MemOS sends them (no closing frame). */
export const BusinessFrame = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("reasoning"), data: z.string() }),
    z.object({ type: z.literal("text"), data: z.string() }),
    z.object({ type: z.literal("error"), content: z.string() }),
  ])
  .meta({ id: "BusinessChatFrame" });
export type BusinessFrame = z.infer<typeof BusinessFrame>;
