import { z } from "zod";
import type { Limits } from "../../config/index.js";
import { Id, IdList, Label, MemoryItem, nonBlankText, text } from "./common.js";

const TextPart = z.object({ type: z.literal("text"), text: text(100_000_000) });

export const historyMessage = z.object({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([text(100_000_000), z.array(TextPart)]),
});

export const chatRequest = (limits: Limits) =>
  z
    .object({
      user_id: Id,
      query: nonBlankText(limits.charsPerMessage),
      readable_cube_ids: IdList.optional().describe("Cubes to search; default [user_id]"),
      writable_cube_ids: IdList.optional().describe("Cubes the turn is written to; default [user_id]; missing ones are created"),
      mem_cube_id: Id.optional().describe("Deprecated: one cube for reading and writing"),
      history: z
        .array(historyMessage)
        .max(10_000)
        .optional()
        .describe(`Earlier messages, OpenAI style; only the last ${limits.historyMessages} are used`),
      mode: z.enum(["fast", "fine", "mixture"]).default("fast"),
      system_prompt: text(limits.charsPerMessage).optional().describe("Replaces the default; `{memories}` marks where memories go"),
      top_k: z.number().int().min(1).max(limits.maxTopK).default(10),
      session_id: Label.default("default_session"),
      model_name_or_path: z.string().min(1).max(256).optional().describe("A name from CHAT_MODEL_LIST; default: the first"),
      temperature: z.number().min(0).max(2).optional(),
      max_tokens: z.number().int().min(1).max(1_000_000).optional(),
      top_p: z.number().min(0).max(1).optional(),
      add_message_on_answer: z.boolean().default(true),
      threshold: z.number().min(0).max(1).default(0.5).describe("Memories below this relevance are left out (at least 3 stay)"),
      include_preference: z.boolean().default(true),
      pref_top_k: z.number().int().min(0).max(limits.maxTopK).default(6),
    })
    .meta({ id: "ChatRequest" });
export type ChatBody = z.infer<ReturnType<typeof chatRequest>>;

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
