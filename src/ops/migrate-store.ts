/**
 * `memcube migrate`'s copy of a SQLite store into PostgreSQL, with each memory's keyword text made
 * as the write paths make it (stems included), so that the same searches find
 * the same memories after the move. The store copies rows; this layer knows how memories are indexed.
 */
import { z } from "zod";
import { chunkIndexText, indexTextOf } from "../memory/index-terms.js";
import { copySqliteToPostgres, type CopiedMemory, type CopyProgress, type CopyReport } from "../store/postgres/copy-from-sqlite.js";

/** What a document chunk's info says of where it stands in its file (memory/documents.ts writes it). */
const ChunkPlace = z.object({ filename: z.string(), heading_path: z.array(z.string()) });

/**
 * The keyword text a memory was written with: a document chunk (memory/documents.ts) is indexed
 * by its file's name, its headings and its text; a raw memory (one message, as written:
 * memory/add.ts) by its text; a derived one (memory/extract/refine.ts) by its text, key and tags.
 */
export function indexTextOfCopied(memory: CopiedMemory): string {
  const chunk = memory.source === "file" ? ChunkPlace.safeParse(memory.info) : undefined;
  if (chunk?.success) return indexTextOf(chunkIndexText(chunk.data.filename, chunk.data.heading_path, memory.text));
  const raw = memory.key === "" && memory.sourceTexts.length === 1 && memory.sourceTexts[0] === memory.text;
  return indexTextOf(raw ? memory.text : [memory.text, memory.key, ...memory.tags].join(" "));
}

export function migrateSqliteToPostgres(file: string, url: string, progress?: CopyProgress): Promise<CopyReport> {
  return copySqliteToPostgres(file, url, { indexText: indexTextOfCopied, progress });
}
