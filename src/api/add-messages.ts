/**
 * What an add's MemOS-shaped input becomes: the messages memcube stores, one memory each. Text is
 * kept as written; what has no text (an image, an audio clip, a file, a tool call) is kept as a
 * short marker naming it, so the memory says it was there. A file part with content (file_data), or
 * with only a file_id, is a document: it is left out of the message text and read by memory/documents.ts.
 */
import type { IncomingMessage } from "../memory/add.js";
import type { IncomingFile } from "../memory/documents.js";
import { parseChatTime } from "../memory/time.js";
import { invalidField } from "./api-error.js";
import type { z } from "zod";
import type { Content, ContentPart, FileDescriptor, MessageItem } from "./schemas/messages.js";

type File = z.infer<typeof FileDescriptor>;

/** A file by the name a person would know it by. */
const fileName = (file: File) => file.filename ?? file.path ?? file.file_id ?? "unnamed file";

function partText(part: ContentPart): string {
  switch (part.type) {
    case "text":
      return part.text;
    case "refusal":
      return part.refusal;
    case "image_url":
      // A data: URL is the image itself, not a name for it: it is not copied into the memory.
      return part.image_url.url.startsWith("data:") ? "[image]" : `[image: ${part.image_url.url}]`;
    case "input_audio":
      return "[audio]";
    case "file":
      return `[file: ${fileName(part.file)}]`;
  }
}

const allPartsOf = (content: Content | undefined): ContentPart[] =>
  content === undefined ? [] : typeof content === "string" ? [{ type: "text", text: content }] : Array.isArray(content) ? content : [content];

/**
 * A file whose content is sent, or a part naming only a file_id (a file added before): a document.
 * A file_id with a name and no content stays what MemOS makes of it, the source it is (a marker).
 */
const isDocument = (file: File) => file.file_data !== undefined || (file.file_id !== undefined && file.filename === undefined && file.path === undefined);

/** The parts a message's text is made of: all but the documents. */
const partsOf = (content: Content | undefined): ContentPart[] => allPartsOf(content).filter((part) => part.type !== "file" || !isDocument(part.file));

/** Tool calls as the memory tells them: which tool, with what. */
function toolCallText(calls: MessageItem["tool_calls"]): string[] {
  const list = calls === undefined ? [] : Array.isArray(calls) ? calls : [calls];
  return list.map((call) => {
    const fn = (call as { function?: { name?: unknown; arguments?: unknown } }).function;
    const name = typeof fn?.name === "string" ? fn.name : call.type;
    return typeof fn?.arguments === "string" ? `[tool call ${name}: ${fn.arguments}]` : `[tool call ${name}]`;
  });
}

/** `chat_time` read as a time when it is one; other text is kept as given (info.given_chat_time), the add time orders it. */
function timeOf(chatTime: string | undefined): { chatTime?: string; given?: { given_chat_time: string } } {
  if (chatTime === undefined || chatTime.trim() === "") return {};
  const parsed = parseChatTime(chatTime);
  return parsed === undefined ? { given: { given_chat_time: chatTime } } : { chatTime: parsed };
}

/** The names a file is known by, kept with its memory: what `delete_memory`'s file_ids select. */
const fileInfo = (files: readonly File[]) => {
  const first = files[0];
  if (first === undefined) return undefined;
  return {
    ...(first.file_id !== undefined && { file_id: first.file_id }),
    ...(first.filename !== undefined && { filename: first.filename }),
    ...(first.path !== undefined && { doc_path: first.path }),
  };
};

function fromItem(item: MessageItem): IncomingMessage {
  const { chatTime, given } = timeOf(item.chat_time);
  const files = item.role === undefined ? (item.file ? [item.file] : []) : partsOf(item.content).flatMap((part) => (part.type === "file" ? [part.file] : []));
  const ownInfo = { ...given, ...fileInfo(files) };
  const stamp = {
    ...(chatTime !== undefined && { chatTime }),
    ...(item.message_id !== undefined && { messageId: item.message_id }),
    ...(Object.keys(ownInfo).length > 0 && { ownInfo }),
  };
  if (item.role === undefined) {
    // A raw item: a note with no dialog around it, or a file the client sent.
    if (item.type === "file" && item.file) {
      return isDocument(item.file) ? { role: "user", content: "" } : { role: "user", content: `[file: ${fileName(item.file)}]`, source: "file", ...stamp };
    }
    return { role: "user", content: item.text ?? "", ...stamp };
  }
  const parts = partsOf(item.content);
  const onlyFiles = parts.length > 0 && parts.every((part) => part.type === "file");
  return { role: item.role, content: messageText(item), ...(onlyFiles && { source: "file" as const }), ...stamp };
}

/** A chat message's text: its parts (markers for what is not text), its refusal and its tool calls. */
export function messageText(item: MessageItem): string {
  return [...partsOf(item.content).map(partText), ...(item.refusal === undefined ? [] : [item.refusal]), ...toolCallText(item.tool_calls)].join("\n");
}

export interface AddInput {
  messages?: string | MessageItem[] | undefined;
  memory_content?: string | undefined;
  doc_path?: string | undefined;
}

/**
 * The messages to store, in order: `messages`, then the deprecated `memory_content` (a note) and
 * `doc_path` (a file), as MemOS appends them. Messages with nothing to say are left out (MemOS
 * takes an empty add), and one longer than a message may be is a 422 naming it.
 */
export function incomingMessages(body: AddInput, charsPerMessage: number): IncomingMessage[] {
  const items: { path: (string | number)[]; message: IncomingMessage }[] = [];
  if (typeof body.messages === "string") items.push({ path: ["messages"], message: { role: "user", content: body.messages } });
  else body.messages?.forEach((item, index) => items.push({ path: ["messages", index, item.role ? "content" : "text"], message: fromItem(item) }));
  if (body.memory_content !== undefined) items.push({ path: ["memory_content"], message: { role: "user", content: body.memory_content } });
  if (body.doc_path !== undefined) {
    items.push({ path: ["doc_path"], message: { role: "user", content: `[file: ${body.doc_path}]`, source: "file", ownInfo: { doc_path: body.doc_path } } });
  }
  for (const { path, message } of items) {
    if (message.content.length > charsPerMessage) throw invalidField(path, `longer than ${charsPerMessage} characters`);
  }
  return items.map(({ message }) => message).filter((message) => message.content.trim() !== "");
}

const fileOf = (path: (string | number)[], file: File): IncomingFile => ({
  path: path.join("."),
  ...(file.file_id !== undefined && { fileId: file.file_id }),
  ...((file.filename ?? file.path) !== undefined && { filename: file.filename ?? file.path }),
  ...(file.file_data !== undefined && { data: file.file_data }),
});

/** The documents of an add, in the order sent, each with the path that names it in errors. */
export function incomingFiles(body: AddInput): IncomingFile[] {
  if (typeof body.messages === "string" || body.messages === undefined) return [];
  return body.messages.flatMap((item, index) => {
    if (item.role === undefined) return item.type === "file" && item.file && isDocument(item.file) ? [fileOf(["messages", index, "file"], item.file)] : [];
    const content = item.content;
    const parts = allPartsOf(content);
    return parts.flatMap((part, at) =>
      part.type === "file" && isDocument(part.file)
        ? [fileOf(Array.isArray(content) ? ["messages", index, "content", at, "file"] : ["messages", index, "content", "file"], part.file)]
        : [],
    );
  });
}
