/**
 * The message shapes MemOS's `server_api` (v2.0.31) accepts in `add.messages`, `chat_history`,
 * chat `history` and `suggestions.message`, as zod schemas. Written from MemOS's typed-dict
 * definitions (OpenAI chat-completion message params plus MemOS's `chat_time` / `message_id`).
 *
 * Rules that hold for all of them (pydantic, lax mode):
 * - keys a shape does not name are ignored, never refused (zod's default `z.object` strips them too);
 * - `chat_time` is any string ("yesterday evening" included) or null: MemOS does not parse it here;
 * - a `content` may be a string, a list of parts, or ONE part object (not wrapped in a list).
 */
import { z } from "zod";

const optionalNullableString = z.string().nullable().optional();

/** `{type:"text", text}`: `text` is required (a bare `{type:"text"}` matches no MemOS shape). */
export const TextPart = z.object({ type: z.literal("text"), text: z.string() });

export const ImagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({
    url: z.string(),
    detail: z.enum(["auto", "low", "high"]).optional(),
    image_id: z.string().optional(),
  }),
});

export const AudioPart = z.object({
  type: z.literal("input_audio"),
  input_audio: z.object({ data: z.string(), format: z.enum(["wav", "mp3"]) }),
});

/** Every key of `file` is optional in MemOS's model: `{type:"file", file:{}}` validates. */
export const FilePart = z.object({
  type: z.literal("file"),
  file: z.object({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }),
});

export const RefusalPart = z.object({ type: z.literal("refusal"), refusal: z.string() });

/** The parts a user or tool message may hold. */
export const ContentPart = z.union([TextPart, ImagePart, AudioPart, FilePart]);

const FunctionToolCall = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
const CustomToolCall = z.object({
  id: z.string(),
  type: z.literal("custom"),
  custom: z.object({ name: z.string(), input: z.string() }),
});
export const ToolCall = z.union([FunctionToolCall, CustomToolCall]);

const stamp = { chat_time: optionalNullableString, message_id: optionalNullableString };

export const SystemMessage = z.object({
  role: z.literal("system"),
  content: z.union([z.string(), z.array(TextPart), TextPart]),
  name: z.string().optional(),
  ...stamp,
});

export const UserMessage = z.object({
  role: z.literal("user"),
  content: z.union([z.string(), z.array(ContentPart), ContentPart]),
  name: z.string().optional(),
  ...stamp,
});

/** `content` may be left out or null (e.g. beside `tool_calls`); `tool_calls` may be one object. */
export const AssistantMessage = z.object({
  role: z.literal("assistant"),
  content: z
    .union([z.string(), z.array(z.union([TextPart, RefusalPart])), TextPart, RefusalPart])
    .nullable()
    .optional(),
  audio: z.object({ id: z.string() }).nullable().optional(),
  refusal: optionalNullableString,
  tool_calls: z.union([z.array(ToolCall), ToolCall]).optional(),
  ...stamp,
});

/** `tool_call_id` is required. */
export const ToolMessage = z.object({
  role: z.literal("tool"),
  content: z.union([z.string(), z.array(ContentPart), ContentPart]),
  tool_call_id: z.string(),
  ...stamp,
});

/** One chat message; roles are exactly system, user, assistant, tool. */
export const ChatMessage = z.union([SystemMessage, UserMessage, AssistantMessage, ToolMessage]);

/** MemOS's `MessageList`: chat messages only (used by `history`, `chat_history`). */
export const MessageList = z.array(ChatMessage);

/** MemOS's "raw" items: bare text or file parts with no role (the "no dialog" input of add). */
export const RawItem = z.union([TextPart, FilePart]);

/** MemOS's `MessagesType`: a plain string, a list of chat messages, or a list of raw items. */
export const MessagesType = z.union([z.string(), MessageList, z.array(RawItem)]);
