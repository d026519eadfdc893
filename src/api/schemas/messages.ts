/**
 * The message shapes MemOS accepts (OpenAI chat-completion messages with MemOS's `chat_time` and
 * `message_id`, and its role-less "raw" items), for `add.messages` and chat `history`. One flat
 * object per item with the rules checked after, so an error names the field, not "invalid union".
 */
import { z } from "zod";
import { Label, text } from "./common.js";

const LONG_TEXT = 100_000_000;
const ATTRIBUTE = 10_000;

export const TextPart = z.object({ type: z.literal("text"), text: text(LONG_TEXT) });
const ImagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: text(LONG_TEXT), detail: z.enum(["auto", "low", "high"]).optional(), image_id: text(ATTRIBUTE).optional() }),
});
const AudioPart = z.object({ type: z.literal("input_audio"), input_audio: z.object({ data: text(LONG_TEXT), format: z.enum(["wav", "mp3"]) }) });
/** Every key of `file` is optional, as in MemOS: `{type:"file", file:{}}` is a file part. */
export const FileDescriptor = z.object({
  file_data: text(LONG_TEXT).optional(),
  file_id: text(ATTRIBUTE).optional(),
  filename: text(ATTRIBUTE).optional(),
  path: text(ATTRIBUTE).optional(),
});
const FilePart = z.object({ type: z.literal("file"), file: FileDescriptor });
const RefusalPart = z.object({ type: z.literal("refusal"), refusal: text(LONG_TEXT) });

export const ContentPart = z.discriminatedUnion("type", [TextPart, ImagePart, AudioPart, FilePart, RefusalPart]);
export type ContentPart = z.infer<typeof ContentPart>;

/** A string, a list of parts, or one part not wrapped in a list (MemOS takes all three). */
export const Content = z.union([text(LONG_TEXT), z.array(ContentPart), ContentPart]);
export type Content = z.infer<typeof Content>;

const ToolCall = z.object({ id: text(ATTRIBUTE), type: z.string().max(64) }).loose();

export const ROLES = ["system", "user", "assistant", "tool"] as const;
export type Role = (typeof ROLES)[number];

/** One item of a message list: a chat message (with `role`) or a raw text/file item (with `type`). */
export const MessageItem = z
  .object({
    role: z.enum(ROLES).optional(),
    content: Content.optional(),
    name: text(ATTRIBUTE).optional(),
    tool_calls: z.union([z.array(ToolCall), ToolCall]).optional(),
    tool_call_id: text(ATTRIBUTE).optional(),
    refusal: text(LONG_TEXT).optional(),
    /** Raw items: `{type:"text", text}` or `{type:"file", file}`. */
    type: z.enum(["text", "file"]).optional(),
    text: text(LONG_TEXT).optional(),
    file: FileDescriptor.optional(),
    /** Any text: ISO 8601 and 'YYYY-MM-DD HH:MM:SS' are read as times, other text is kept as given. */
    chat_time: text(ATTRIBUTE).optional(),
    message_id: Label.optional(),
  })
  .superRefine((item, context) => {
    const required = (field: string) => context.addIssue({ code: "custom", path: [field], message: "field required" });
    if (item.role === undefined) {
      if (item.type === undefined) required("role");
      else if (item.type === "text" && item.text === undefined) required("text");
      else if (item.type === "file" && item.file === undefined) required("file");
      return;
    }
    // An assistant may leave content out (or send null) beside tool_calls; every other role says something.
    if (item.role !== "assistant" && item.content === undefined) required("content");
    if (item.role === "tool" && item.tool_call_id === undefined) required("tool_call_id");
  });
export type MessageItem = z.infer<typeof MessageItem>;

/** A list is chat messages or raw items, not both (MemOS refuses a mix too). */
export const messageList = (maxItems: number) =>
  z
    .array(MessageItem)
    .max(maxItems, `more than ${maxItems} messages in one add`)
    .superRefine((items, context) => {
      const chat = items.filter((item) => item.role !== undefined).length;
      if (chat > 0 && chat < items.length) {
        context.addIssue({ code: "custom", path: [], message: "mixes chat messages (with role) and bare items (with type): send one kind" });
      }
    });
