/**
 * What both ports make of a stored document: its chunks (text and the info the store keeps with
 * each, src/memory/documents.ts) as the add_document tool reports them, and the API's messages
 * about a file reworded to name the tool's argument rather than the request path it was sent in.
 */
import type { StoredDocument } from "./port.js";

export interface ChunkRecord {
  id: string;
  text: string;
  info: Record<string, unknown>;
}

/** A chunk without its place in the file (the listing missed it) goes last. */
const indexOf = (chunk: ChunkRecord) => (typeof chunk.info.chunk_index === "number" ? chunk.info.chunk_index : Number.MAX_SAFE_INTEGER);

const stringOf = (value: unknown) => (typeof value === "string" ? value : undefined);

/** The chunks in document order (their chunk_index), with the file they came from. */
export function storedDocument(
  cubeId: string,
  chunks: readonly ChunkRecord[],
  named: { fileId?: string | undefined; filename?: string | undefined },
): StoredDocument {
  const ordered = [...chunks].sort((a, b) => indexOf(a) - indexOf(b));
  const first = ordered[0]?.info ?? {};
  const fileId = stringOf(first.file_id) ?? named.fileId ?? named.filename ?? "";
  return {
    cubeId,
    fileId,
    filename: stringOf(first.filename) ?? named.filename ?? fileId,
    noText: first.no_text === true,
    chunks: ordered.map(({ id, text, info }) => ({
      id,
      text,
      ...(typeof info.page === "number" && { page: info.page }),
      headingPath: Array.isArray(info.heading_path) ? info.heading_path.filter((heading): heading is string => typeof heading === "string") : [],
    })),
  };
}

/**
 * `messages.0.content.0.file.file_data: file 'a.pdf' cannot be read: …` (the API's path) or the
 * domain's own path becomes `content_base64: file 'a.pdf' cannot be read: …`. Other messages (a
 * cube refused, a full cube) are left as they are.
 */
export const fileMessage = (message: string, field: string): string => message.replace(/^[\w.]+: (?=file ')/, `${field}: `);
