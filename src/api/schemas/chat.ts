import { z } from "zod";
import type { Limits } from "../../config/index.js";
import { Id, IdList, actingUserId, Label, MemoryItem, nonBlankText, text } from "./common.js";
import { MessageItem } from "./messages.js";

/** One earlier message: any chat message MemOS takes (tool messages and tool calls too), never a bare item. */
export const historyMessage = MessageItem.refine((item) => item.role !== undefined, { path: ["role"], message: "field required" });

export const chatRequest = (limits: Limits) =>
  z
    .object({
      user_id: actingUserId(),
      query: nonBlankText(limits.charsPerMessage),
      readable_cube_ids: IdList.optional().describe("Cubes to search; default [user_id]"),
      writable_cube_ids: IdList.optional().describe("Cubes the turn is written to; default [user_id]; missing ones are created"),
      mem_cube_id: Id.optional().describe("Deprecated: one cube for reading and writing"),
      history: z.array(historyMessage).max(10_000).optional().describe(`Earlier messages, OpenAI style; only the last ${limits.historyMessages} are used`),
      mode: z.enum(["fast", "fine", "mixture"]).default("fast"),
      system_prompt: text(limits.charsPerMessage).optional().describe("Replaces the default; `{memories}` marks where memories go"),
      top_k: z.number().int().default(10).describe(`Clamped to 1..MEMCUBE_MAX_TOP_K (${limits.maxTopK}), said in x-memcube-notice`),
      session_id: Label.default("default_session"),
      model_name_or_path: z.string().min(1).max(256).optional().describe("A name from CHAT_MODEL_LIST; default: the first"),
      temperature: z.number().optional().describe("Clamped to 0..2 for the model, said in x-memcube-notice"),
      max_tokens: z.number().int().optional().describe("Clamped to 1..1000000, said in x-memcube-notice"),
      top_p: z.number().optional().describe("Clamped to 0..1, said in x-memcube-notice"),
      add_message_on_answer: z.boolean().default(true),
      threshold: z.number().default(0.5).describe("Memories below this relevance are left out (at least 3 stay); clamped to 0..1"),
      include_preference: z.boolean().default(true),
      pref_top_k: z.number().int().default(6).describe(`Clamped to 0..MEMCUBE_MAX_TOP_K (${limits.maxTopK})`),
    })
    .meta({ id: "ChatRequest" });
/** A chat request once its acting user is decided (src/api/route.ts writes it in). */
export type ChatBody = z.infer<ReturnType<typeof chatRequest>> & { user_id: string };

export const ChatCompleteData = z
  .object({
    response: z.string(),
    reasoning: z.string().nullable(),
    references: z.array(MemoryItem).describe("The memories the model was shown"),
  })
  .meta({ id: "ChatCompleteData" });

export const ModelsData = z.object({
  default_model: z.string().nullable(),
  models: z.array(z.string()).describe("Every name model_name_or_path accepts"),
});

/** The SSE frames of /product/chat/stream, each sent as `data: <json>\n\n`. */
export const ChatFrame = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("status"), data: z.enum(["0", "1", "2"]) }),
    z.object({ type: z.literal("reference"), data: z.array(MemoryItem) }),
    z.object({ type: z.literal("reasoning"), data: z.string() }),
    z.object({ type: z.literal("text"), data: z.string() }),
    z.object({
      type: z.literal("time"),
      data: z.object({ total_time: z.number(), search_time: z.number(), first_token_time: z.number() }),
    }),
    z.object({ type: z.literal("end") }),
    z.object({ type: z.literal("error"), data: z.string(), content: z.string() }),
  ])
  .meta({ id: "ChatFrame" });
export type ChatFrame = z.infer<typeof ChatFrame>;
