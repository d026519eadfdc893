import { z } from "zod";
import type { Limits } from "../../config/index.js";
import { Id, actingUserId, text } from "./common.js";

/** A content part as MemOS clients send them; only text parts say anything to the suggestion model. */
const ContentPart = z.object({ type: z.string().max(64).optional(), text: z.string().optional() });

/** One message of the conversation, in any of MemOS's message shapes (roles beyond user/assistant are read as context). */
const ConversationMessage = (limits: Limits) =>
  z.object({
    role: z.string().max(64).optional(),
    content: z.union([text(limits.charsPerMessage), z.array(ContentPart).max(1000), ContentPart]).optional(),
  });

export const suggestionsRequest = (limits: Limits) =>
  z
    .object({
      user_id: actingUserId(),
      mem_cube_id: Id.describe("The cube whose memories the suggestions come from (the user must be able to read it)"),
      language: z.enum(["zh", "en"]).default("zh").describe("The suggestions' language (MemOS's default: zh)"),
      message: z
        .union([text(limits.charsPerMessage), z.array(ConversationMessage(limits)).max(10_000)])
        .optional()
        .describe("The conversation so far: suggestions follow from its last two messages. Without it: from the cube's latest memories"),
    })
    .meta({ id: "SuggestionsRequest" });
export type SuggestionsBody = z.infer<ReturnType<typeof suggestionsRequest>>;

export const SuggestionsData = z
  .object({ query: z.array(z.string()).describe("Up to 3 questions the user might ask next; [] when the model's answer could not be read") })
  .meta({ id: "SuggestionsData" });
