/**
 * A Word document (DOCX) with mammoth: it maps Word's heading styles to <h1>…<h6>, keeps tables
 * and lists, and leaves out formatting; the HTML it writes is walked like a web page's article.
 */
import mammoth from "mammoth";
import { htmlBlocks } from "./html.js";
import { DocumentUnreadable, type ExtractedDocument } from "./types.js";

export async function extractDocx(bytes: Uint8Array): Promise<ExtractedDocument> {
  let html: string;
  try {
    ({ value: html } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }));
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new DocumentUnreadable(`the Word document cannot be read (damaged or cut short): ${detail}`);
  }
  return { format: "docx", pages: [{ blocks: htmlBlocks(html) }] };
}
