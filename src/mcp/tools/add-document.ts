import { z } from "zod";
import type { StoredDocument } from "../port.js";
import { ToolFailure } from "../port.js";
import { defineTool } from "../tool.js";
import { Text, cubeId } from "./fields.js";

/** Base64 (standard or URL-safe alphabet), optionally as a data: URL; whitespace is allowed, as the API allows it. */
const BASE64 = /^(?:data:[^,]*;base64,)?[A-Za-z0-9+/_\-=\s]*$/;
/** How many chunks the text shows (the structured content lists them all). */
const SHOWN = 10;
const PREVIEW = 160;

const preview = (text: string) => {
  const line = text.replace(/\s*\n\s*/g, " ");
  return line.length > PREVIEW ? `${line.slice(0, PREVIEW - 1)}…` : line;
};

/** The pages the chunks come from (PDF), in order. */
const pagesOf = (document: StoredDocument) =>
  [...new Set(document.chunks.flatMap((chunk) => (chunk.page === undefined ? [] : [chunk.page])))].sort((a, b) => a - b);

function summary(document: StoredDocument, pages: readonly number[]): string {
  const where = `in cube ${document.cubeId} (file id ${document.fileId})`;
  if (document.noText)
    return `${document.filename} has no extractable text (a scanned or image-only file; memcube does no OCR): stored ${where} as one note saying so.`;
  const count = document.chunks.length;
  const from = pages.length > 0 ? `, from ${pages.length} ${pages.length === 1 ? "page" : "pages"}` : "";
  const lines = document.chunks.slice(0, SHOWN).map((chunk) => {
    const page = chunk.page === undefined ? "" : `p. ${chunk.page}, `;
    return `- ${preview(chunk.text)} (${page}id ${chunk.id})`;
  });
  const more = count > SHOWN ? `\n…and ${count - SHOWN} more.` : "";
  return `Stored ${document.filename} ${where} as ${count} ${count === 1 ? "chunk" : "chunks"}${from}, searchable at once:\n${lines.join("\n")}${more}`;
}

export const addDocumentTool = defineTool({
  name: "add_document",
  title: "Store a document",
  description:
    "Store a document (notes, a manual, a PDF, a Word file, a web page) in memory as searchable chunks, each kept with its file and page. Pass the text " +
    "in `content` (Markdown, HTML, CSV, JSON or plain text), or a file's bytes base64-encoded in `content_base64` with its `filename` (PDF with a " +
    "text layer, DOCX, or any text format). Adding the same file again changes nothing; new content under the same file_id (or filename) replaces " +
    "its earlier chunks.",
  input: {
    content: Text("content").optional().describe("The document as text."),
    content_base64: z
      .string()
      .refine((data) => BASE64.test(data), "expected base64 content (A-Z, a-z, 0-9, +, /, =), not a URL or raw text (use content for text)")
      .optional()
      .describe("The document's bytes, base64-encoded (instead of content); needs filename."),
    filename: z.string().trim().min(1).max(10_000).optional().describe("The file's name, e.g. 'handbook.pdf': shown with its chunks."),
    file_id: z
      .string()
      .trim()
      .min(1)
      .max(10_000)
      .optional()
      .describe("What the document is known by in the cube (default: its filename); new content under the same file_id replaces the old."),
    cube_id: cubeId("The cube to store it in."),
  },
  // New content under a known file_id replaces (deletes) that file's earlier chunks; the same call again changes nothing.
  effect: "destroy",
  idempotent: true,
  async run(args, port, signal) {
    if ((args.content === undefined) === (args.content_base64 === undefined)) throw new ToolFailure("pass either content or content_base64 (one of them)");
    if (args.content_base64 !== undefined && args.filename === undefined)
      throw new ToolFailure("filename: name the file sent in content_base64 (e.g. 'handbook.pdf')");
    const field = args.content === undefined ? "content_base64" : "content";
    const base64 = args.content_base64 ?? Buffer.from(args.content ?? "", "utf8").toString("base64");
    const document = await port.addDocument({ base64, filename: args.filename, fileId: args.file_id, cubeId: args.cube_id, field }, signal);
    const pages = pagesOf(document);
    return {
      text: summary(document, pages),
      structured: {
        cube_id: document.cubeId,
        file_id: document.fileId,
        filename: document.filename,
        chunk_count: document.chunks.length,
        pages,
        no_text: document.noText,
        chunks: document.chunks.map((chunk) => ({
          id: chunk.id,
          preview: preview(chunk.text),
          ...(chunk.page !== undefined && { page: chunk.page }),
          heading_path: chunk.headingPath,
        })),
      },
    };
  },
});
