import { z } from "zod";
import { text } from "./common.js";

/** The bound of one message's text; the query's own bound (MEMCUBE_MAX_MESSAGE_CHARS) is checked on the chat request. */
const MESSAGE_CHARS = 100_000_000;

/**
 * One OpenAI content part; only text parts reach the model (images and audio are left out). Text is
 * checked as on every other route that stores it (no NUL, no lone surrogate).
 */
const ContentPart = z.looseObject({ type: z.string(), text: text(MESSAGE_CHARS).optional() });

export const openAIMessage = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.union([text(MESSAGE_CHARS), z.array(ContentPart)]).nullish(),
});
export type OpenAIMessage = z.infer<typeof openAIMessage>;

/**
 * `POST /v1/chat/completions`, as OpenAI's SDKs send it. Unknown fields (tools, n, stop, …) are
 * accepted and ignored, as OpenAI-compatible servers commonly do.
 */
export const openAIChatRequest = z
  .looseObject({
    model: z.string().max(256).optional(),
    messages: z.array(openAIMessage).min(1, "must hold at least one message").max(10_000),
    stream: z.boolean().optional(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
    max_completion_tokens: z.number().int().min(1).max(1_000_000).nullish(),
    user: z.string().max(256).optional(),
  })
  .meta({ id: "OpenAIChatCompletionRequest" });
export type OpenAIChatBody = z.infer<typeof openAIChatRequest>;

export const OpenAIUsage = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });

export const OpenAIChatCompletion = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({
          role: z.literal("assistant"),
          content: z.string(),
          refusal: z.null(),
          reasoning_content: z.string().optional(),
        }),
        finish_reason: z.literal("stop"),
        logprobs: z.null(),
      }),
    ),
    usage: OpenAIUsage.describe("Estimated with the cl100k tokenizer"),
  })
  .meta({ id: "OpenAIChatCompletion" });
export type OpenAIChatCompletion = z.infer<typeof OpenAIChatCompletion>;

export const OpenAIChatChunk = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion.chunk"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        delta: z.object({ role: z.literal("assistant").optional(), content: z.string().optional(), reasoning_content: z.string().optional() }),
        finish_reason: z.literal("stop").nullable(),
        logprobs: z.null(),
      }),
    ),
    usage: OpenAIUsage.nullish(),
  })
  .meta({ id: "OpenAIChatCompletionChunk" });
export type OpenAIChatChunk = z.infer<typeof OpenAIChatChunk>;

export const OpenAIModelList = z
  .object({
    object: z.literal("list"),
    data: z.array(z.object({ id: z.string(), object: z.literal("model"), created: z.number().int(), owned_by: z.string() })),
  })
  .meta({ id: "OpenAIModelList" });

export const OpenAIError = z
  .object({
    error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
  })
  .meta({ id: "OpenAIError" });
export type OpenAIErrorBody = z.infer<typeof OpenAIError>;
