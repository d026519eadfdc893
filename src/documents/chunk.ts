/**
 * Chunks that follow the document: a heading starts a new chunk (and is the heading path of those
 * under it), paragraphs are packed up to a size budget, a page boundary always ends a chunk, and a
 * paragraph longer than the budget is cut between sentences (Chinese and Japanese sentences end
 * at 。！？; they have no spaces to cut at). Consecutive chunks of one section share a small overlap
 * (the end of one chunk's last sentence starts the next), so a fact cut in two is still found whole.
 */
import type { Block, DocumentChunk, ExtractedDocument } from "./types.js";

export interface ChunkBudget {
  /** Largest chunk, in characters. */
  maxChars: number;
  /** Characters of the previous chunk repeated at the start of the next one in the same section. */
  overlapChars: number;
}

export const DEFAULT_BUDGET: ChunkBudget = { maxChars: 1200, overlapChars: 120 };

/** Between paragraphs of the extracted text (what spans count in). */
const PARAGRAPH_BREAK = "\n\n";

/** Sentences, each with its closing punctuation and the space after it. */
export function sentencesOf(text: string): string[] {
  const sentences = text.match(/[^.!?。！？；;\n]+(?:[.!?。！？；;]+["'”’)\]」』]*|\n|$)\s*/gu) ?? [text];
  return sentences.filter((sentence) => sentence !== "");
}

/** Pieces of at most `max` characters: whole sentences where they fit, else hard cuts. */
function piecesOf(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let current = "";
  for (const sentence of sentencesOf(text)) {
    if (current !== "" && current.length + sentence.length > max) {
      pieces.push(current);
      current = "";
    }
    if (sentence.length > max) {
      for (let at = 0; at < sentence.length; at += max) pieces.push(sentence.slice(at, at + max));
      continue;
    }
    current += sentence;
  }
  if (current !== "") pieces.push(current);
  return pieces;
}

/** The tail of a chunk worth repeating: its last sentences that fit the overlap. */
function overlapOf(text: string, max: number): string {
  if (max <= 0) return "";
  const sentences = sentencesOf(text);
  let tail = "";
  for (let index = sentences.length - 1; index >= 0; index--) {
    const candidate = (sentences[index] ?? "") + tail;
    if (candidate.length > max) break;
    tail = candidate;
  }
  // A chunk that is one long sentence repeats nothing: a cut word helps no one.
  return tail === text ? "" : tail.trim();
}

interface Piece {
  text: string;
  start: number;
}

/**
 * The document's chunks, in order, with spans into its extracted text: the blocks of each page
 * joined by blank lines, pages joined the same way (the text `extractedText` returns).
 */
export function chunkDocument(document: ExtractedDocument, budget: ChunkBudget = DEFAULT_BUDGET): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  const headings: { level: number; text: string }[] = [];
  let offset = 0;
  let first = true;
  for (const page of document.pages) {
    let pending: Piece[] = [];
    let overlap = "";
    const emit = () => {
      if (pending.length === 0) return;
      const body = pending.map((piece) => piece.text).join(PARAGRAPH_BREAK);
      const last = pending[pending.length - 1] as Piece;
      // Chinese and Japanese text runs on without spaces; other scripts get one between the overlap and the body.
      const text = overlap === "" ? body : /[。！？；]$/.test(overlap) ? overlap + body : `${overlap} ${body}`;
      chunks.push({
        text,
        ...(page.page !== undefined && { page: page.page }),
        headingPath: headings.map((heading) => heading.text),
        start: (pending[0] as Piece).start,
        end: last.start + last.text.length,
      });
      overlap = overlapOf(body, budget.overlapChars);
      pending = [];
    };
    const size = () => pending.reduce((sum, piece) => sum + piece.text.length + PARAGRAPH_BREAK.length, overlap.length);
    for (const block of page.blocks) {
      if (!first) offset += PARAGRAPH_BREAK.length;
      first = false;
      const start = offset;
      offset += block.text.length;
      if (block.kind === "heading") {
        emit();
        overlap = "";
        while (headings.length > 0 && (headings[headings.length - 1]?.level ?? 0) >= block.level) headings.pop();
        headings.push({ level: block.level, text: block.text });
        continue;
      }
      let at = start;
      for (const text of piecesOf(block.text, budget.maxChars - Math.min(budget.overlapChars, budget.maxChars / 4))) {
        if (pending.length > 0 && size() + text.length > budget.maxChars) emit();
        pending.push({ text, start: at });
        at += text.length;
      }
    }
    emit();
  }
  // A document of headings only (a table of contents) still says something.
  if (chunks.length === 0 && headings.length > 0) {
    const text = headings.map((heading) => heading.text).join(" / ");
    chunks.push({ text, headingPath: [], start: 0, end: Math.min(offset, text.length) });
  }
  return chunks;
}

/** The document's extracted text, the one chunk spans index into. */
export function extractedText(document: ExtractedDocument): string {
  return document.pages
    .flatMap((page) => page.blocks)
    .map((block: Block) => block.text)
    .join(PARAGRAPH_BREAK);
}
