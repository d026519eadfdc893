/**
 * A file's format from its bytes, never from its name: a client may call a PDF "notes.txt" and an
 * HTML page "page.md". Binary formats by their signature (PDF's `%PDF-`, a ZIP holding
 * `word/document.xml` for DOCX); text formats by sniffing the decoded start of the file.
 */
import { DocumentUnreadable, type DocumentFormat } from "./types.js";

const startsWith = (bytes: Uint8Array, signature: string) => signature.split("").every((char, index) => bytes[index] === char.charCodeAt(0));

/** A ZIP's local file headers name their entries in plain bytes, so a DOCX shows itself without unzipping. */
const zipHolds = (bytes: Uint8Array, entry: string) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(entry, 0, "latin1");

const SNIFF_CHARS = 4096;

/** Text is valid UTF-8 (or starts with a UTF-16 BOM we do not read) without NUL bytes. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.includes(0)) throw new DocumentUnreadable("not a text file, and not a format memcube reads (PDF, DOCX, HTML, Markdown, JSON, CSV, text)");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new DocumentUnreadable("not valid UTF-8 text, and not a format memcube reads (PDF, DOCX, HTML, Markdown, JSON, CSV, text)");
  }
}

function looksLikeHtml(head: string): boolean {
  const start = head.trimStart().slice(0, 512).toLowerCase();
  return (
    start.startsWith("<!doctype html") ||
    start.startsWith("<html") ||
    /^<(head|body|article|main|div|p|h[1-6])[\s>]/.test(start) ||
    /<(html|body)[\s>]/.test(start)
  );
}

function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

/** At least two lines, each with the same number (≥ 1) of commas or tabs outside quotes. */
function looksLikeCsv(head: string): boolean {
  const lines = head
    .split(/\r?\n/)
    .slice(0, 20)
    .filter((line) => line.trim() !== "");
  if (lines.length < 2) return false;
  // The last sniffed line may be cut short; leave it out when the file goes on.
  const sample = head.length >= SNIFF_CHARS ? lines.slice(0, -1) : lines;
  for (const separator of [",", "\t", ";"]) {
    const counts = sample.map((line) => line.replace(/"[^"]*"/g, "").split(separator).length - 1);
    if (sample.length >= 2 && counts.every((count) => count > 0 && count === counts[0])) return true;
  }
  return false;
}

/** ATX headings, lists, fences, links or emphasis: signs a person wrote Markdown. */
function looksLikeMarkdown(head: string): boolean {
  const signs = [/^#{1,6}\s+\S/m, /^```/m, /^\s*[-*+]\s+\S/m, /^\s*\d+\.\s+\S/m, /\[[^\]]+\]\([^)]+\)/, /^>\s/m, /\*\*[^*]+\*\*/];
  return /^#{1,6}\s+\S/m.test(head) || signs.filter((sign) => sign.test(head)).length >= 2;
}

export interface Detected {
  format: DocumentFormat;
  /** The decoded text, for text formats. */
  text?: string;
}

export function detectFormat(bytes: Uint8Array): Detected {
  if (bytes.length === 0) throw new DocumentUnreadable("the file is empty");
  if (startsWith(bytes, "%PDF-")) return { format: "pdf" };
  // An OLE compound file: a password-protected Office document (Office encrypts into this container), or a legacy .doc/.xls/.ppt.
  if ([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1].every((byte, index) => bytes[index] === byte)) {
    throw new DocumentUnreadable("a password-protected Office document, or a legacy binary one (.doc, .xls, .ppt): save it unprotected as DOCX or PDF");
  }
  if (startsWith(bytes, "PK\x03\x04")) {
    if (zipHolds(bytes, "word/document.xml")) return { format: "docx" };
    throw new DocumentUnreadable(
      "a ZIP archive with no Word document in it (not a DOCX, or one cut short); memcube reads PDF, DOCX, HTML, Markdown, JSON, CSV and text",
    );
  }
  const text = decodeText(bytes).replace(/^\uFEFF/, "");
  if (text.trim() === "") throw new DocumentUnreadable("the file holds no text");
  const head = text.slice(0, SNIFF_CHARS);
  if (looksLikeHtml(head)) return { format: "html", text };
  if (looksLikeJson(text)) return { format: "json", text };
  if (looksLikeCsv(head)) return { format: "csv", text };
  if (looksLikeMarkdown(head)) return { format: "markdown", text };
  return { format: "text", text };
}
