/**
 * A PDF's text layer, page by page, with pdf.js (Mozilla's reader, the `legacy` build that runs on
 * Node without a browser). Nothing is rendered, so no canvas is needed, and the parser runs in this
 * thread (pdf.js's "fake worker": the worker module is imported from the package, never fetched).
 * A page's lines are grouped into paragraphs where the vertical gap between lines is wider than usual.
 */
import type * as PdfJsModule from "pdfjs-dist/legacy/build/pdf.mjs";
import type { Block, DocumentPage, ExtractedDocument } from "./types.js";
import { DocumentUnreadable } from "./types.js";

interface TextItem {
  str: string;
  hasEOL?: boolean;
  transform?: number[];
  height?: number;
}

type PdfJs = typeof PdfJsModule;
let pdfjs: Promise<PdfJs> | undefined;
/** Loaded on first use: servers that never read a PDF never load pdf.js. */
const loadPdfJs = () => (pdfjs ??= import("pdfjs-dist/legacy/build/pdf.mjs"));

/** The lines of a page, each with its baseline (y) and height, in reading order as the file gives them. */
function linesOf(items: readonly TextItem[]): { text: string; y: number; height: number }[] {
  const lines: { text: string; y: number; height: number }[] = [];
  let current = "";
  let y: number | undefined;
  let height = 0;
  const end = () => {
    if (current.trim() !== "") lines.push({ text: current.replace(/\s+/g, " ").trim(), y: y ?? 0, height });
    current = "";
    y = undefined;
    height = 0;
  };
  for (const item of items) {
    const itemY = item.transform?.[5];
    if (y !== undefined && itemY !== undefined && Math.abs(itemY - y) > Math.max(2, (item.height ?? 0) / 2)) end();
    if (y === undefined && itemY !== undefined) y = itemY;
    height = Math.max(height, item.height ?? 0);
    current += item.str;
    if (item.hasEOL) end();
  }
  end();
  return lines;
}

/** Lines joined into paragraphs: a gap between baselines of more than 1.6 line heights starts a new one. */
function paragraphsOf(lines: readonly { text: string; y: number; height: number }[]): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let previous: { y: number; height: number } | undefined;
  for (const line of lines) {
    const gap = previous === undefined ? 0 : Math.abs(previous.y - line.y);
    const lineHeight = Math.max(line.height, previous?.height ?? 0, 1);
    if (paragraph.length > 0 && gap > lineHeight * 1.6) {
      blocks.push({ kind: "text", text: paragraph.join(" ") });
      paragraph = [];
    }
    paragraph.push(line.text);
    previous = line;
  }
  if (paragraph.length > 0) blocks.push({ kind: "text", text: paragraph.join(" ") });
  return blocks;
}

function unreadable(error: unknown): DocumentUnreadable {
  const name = error instanceof Error ? error.name : "";
  if (name === "PasswordException") return new DocumentUnreadable("the PDF is password-protected");
  if (name === "InvalidPDFException") return new DocumentUnreadable("not a valid PDF (the file is damaged or cut short)");
  const detail = error instanceof Error ? error.message : String(error);
  return new DocumentUnreadable(`the PDF cannot be read: ${detail}`);
}

export async function extractPdf(bytes: Uint8Array): Promise<ExtractedDocument> {
  const { getDocument, VerbosityLevel } = await loadPdfJs();
  // pdf.js takes ownership of the buffer it is given: it gets a copy.
  const task = getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: true,
    verbosity: VerbosityLevel.ERRORS,
  });
  try {
    const pdf = await task.promise.catch((error: unknown) => {
      throw unreadable(error);
    });
    const pages: DocumentPage[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      const items = content.items.filter((item): item is TextItem & typeof item => "str" in item);
      pages.push({ page: number, blocks: paragraphsOf(linesOf(items)) });
      page.cleanup();
    }
    return { format: "pdf", pages };
  } catch (error) {
    throw error instanceof DocumentUnreadable ? error : unreadable(error);
  } finally {
    await task.destroy();
  }
}
