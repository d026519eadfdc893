/**
 * Files to chunks: the format from the bytes, the text (with pages and headings), the chunks.
 * No HTTP and no store here: `memory/documents.ts` stores what this returns.
 */
import { createHash } from "node:crypto";
import { chunkDocument, DEFAULT_BUDGET, type ChunkBudget } from "./chunk.js";
import { detectFormat } from "./detect.js";
import { extractDocx } from "./docx.js";
import { extractHtml } from "./html.js";
import { extractPdf } from "./pdf.js";
import { csvBlocks, jsonBlocks, markdownBlocks, textBlocks } from "./plain.js";
import type { DocumentChunk, DocumentFormat, ExtractedDocument } from "./types.js";

export { DocumentUnreadable, DOCUMENT_FORMATS, type DocumentChunk, type DocumentFormat } from "./types.js";
export { DEFAULT_BUDGET, type ChunkBudget } from "./chunk.js";
export { fetchDocument, isPublicAddress, systemResolver, UrlRefused, type FetchPolicy, type Resolver } from "./fetch-url.js";

export interface ReadDocument {
  format: DocumentFormat;
  /** sha256 of the bytes, hex: the same content re-added is recognised whatever its name. */
  hash: string;
  bytes: number;
  title?: string;
  /** Pages in the file (paged formats). */
  pages?: number;
  chunks: DocumentChunk[];
}

export const contentHash = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function extract(bytes: Uint8Array): Promise<ExtractedDocument> {
  const detected = detectFormat(bytes);
  const text = detected.text ?? "";
  switch (detected.format) {
    case "pdf":
      return extractPdf(bytes);
    case "docx":
      return extractDocx(bytes);
    case "html":
      return extractHtml(text);
    case "markdown":
      return { format: "markdown", pages: [{ blocks: markdownBlocks(text) }] };
    case "json":
      return { format: "json", pages: [{ blocks: jsonBlocks(text) }] };
    case "csv":
      return { format: "csv", pages: [{ blocks: csvBlocks(text) }] };
    case "text":
      return { format: "text", pages: [{ blocks: textBlocks(text) }] };
  }
}

/**
 * Reads a file: throws DocumentUnreadable (empty, damaged, password-protected, not a format memcube
 * reads). A file that parses but holds no text (a scanned PDF) comes back with no chunks.
 */
export async function readDocument(bytes: Uint8Array, budget: ChunkBudget = DEFAULT_BUDGET): Promise<ReadDocument> {
  const document = await extract(bytes);
  const paged = document.pages.some((page) => page.page !== undefined);
  return {
    format: document.format,
    hash: contentHash(bytes),
    bytes: bytes.byteLength,
    ...(document.title !== undefined && { title: document.title }),
    ...(paged && { pages: document.pages.length }),
    chunks: chunkDocument(document, budget),
  };
}
