/** What a document becomes before it is chunked: its format, and its text as pages of blocks. */

export const DOCUMENT_FORMATS = ["text", "markdown", "html", "pdf", "docx", "json", "csv"] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** A heading (with its level, 1 = top) or a run of body text (a paragraph, a list item, a table row). */
export type Block = { kind: "heading"; level: number; text: string } | { kind: "text"; text: string };

/** A page of a paged format (PDF: 1-based), or the whole document (page undefined). */
export interface DocumentPage {
  page?: number;
  blocks: Block[];
}

export interface ExtractedDocument {
  format: DocumentFormat;
  /** The document's own title when it has one (an HTML <title>, a Readability title). */
  title?: string;
  pages: DocumentPage[];
}

/** One chunk: a memory's text, where it came from, and its place in the document's extracted text. */
export interface DocumentChunk {
  text: string;
  /** 1-based page, for paged formats; a chunk never spans two pages. */
  page?: number;
  /** The headings above the chunk, outermost first. */
  headingPath: string[];
  /** Character span in the document's extracted text (`start` inclusive, `end` exclusive, UTF-16 units). */
  start: number;
  end: number;
}

/** Why a file cannot be read: said in a 422 beside the file's name. */
export class DocumentUnreadable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "DocumentUnreadable";
  }
}
