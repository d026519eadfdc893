/**
 * Files sent to add become document knowledge: each chunk one LongTermMemory (source "file", tag
 * "document") whose info says which file, page, heading path and character span it came from. A
 * file is known in its cube by the client's file_id, else its file name; its content hash decides
 * whether adding it again changes nothing (same bytes) or replaces its chunks (new bytes). Every
 * file of an add is read before anything is written: one that cannot be read refuses the add whole.
 */
import { createHash } from "node:crypto";
import { DEFAULT_BUDGET, DocumentUnreadable, fetchDocument, readDocument, UrlRefused, type ReadDocument } from "../documents/index.js";
import type { MemoryRecord } from "../store/types.js";
import { CubeWriteRefused } from "../store/store.js";
import { checkQuota, embedWhereMeaningful, type AddedMemory, type IncomingMessage } from "./add.js";
import type { DocumentSettings, MemoryContext } from "./context.js";
import { checkWritable } from "./cubes.js";
import { DomainError, cubeForbidden } from "./errors.js";
import { indexTextOf } from "./index-terms.js";

/** A file part of an add, with where it was in the request (for the errors that name it). */
export interface IncomingFile {
  path: string;
  fileId?: string;
  filename?: string;
  /** Base64 content (optionally a data: URL), or an http(s) URL. Absent: a file added earlier. */
  data?: string;
}

export interface DocumentAddRequest {
  userId: string;
  cubeIds: readonly string[];
  sessionId: string;
  files: readonly IncomingFile[];
  tags?: readonly string[];
  info?: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface DocumentAddResult {
  added: AddedMemory[];
  /** What the client should know (a file with no text, a file unchanged). */
  notices: string[];
}

/** The tag every chunk carries: what tells document knowledge from what was said. */
export const DOCUMENT_TAG = "document";

export const DEFAULT_DOCUMENT_SETTINGS: DocumentSettings = {
  maxBytes: 10 * 1024 * 1024,
  budget: DEFAULT_BUDGET,
  fetch: { allowHosts: [], maxBytes: 10 * 1024 * 1024, timeoutMs: 10_000, maxRedirects: 3, resolve: () => Promise.resolve([]) },
};

/** What a chunk's memory keeps in its info about where it came from (MemOS's names where it has them). */
export interface ChunkInfo {
  file_id: string;
  filename: string;
  doc_path: string;
  file_hash: string;
  file_format: string;
  chunk_index: number;
  chunk_total: number;
  page?: number;
  heading_path: string[];
  char_start: number;
  char_end: number;
  no_text?: true;
}

const settingsOf = (context: MemoryContext) => context.documents ?? DEFAULT_DOCUMENT_SETTINGS;

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The bytes of a part's file_data: fetched (a URL, when allowed) or decoded (base64). */
async function bytesOf(settings: DocumentSettings, file: IncomingFile & { data: string }, name: string): Promise<Buffer> {
  const data = file.data.trim();
  if (/^https?:\/\//i.test(data)) {
    try {
      return await fetchDocument({ ...settings.fetch, maxBytes: Math.min(settings.fetch.maxBytes, settings.maxBytes) }, data);
    } catch (error) {
      if (error instanceof UrlRefused) throw new DomainError(error.tooLarge ? "full" : "unprocessable", `${file.path}.file_data: file '${name}': ${error.message}`);
      throw error;
    }
  }
  const payload = data.replace(/^data:[^,]*;base64,/i, "").replace(/\s+/g, "");
  if (!BASE64.test(payload)) throw new DomainError("unprocessable", `${file.path}.file_data: file '${name}': expected base64 content or an http(s) URL`);
  // Refused before decoding: an oversized file is never held whole.
  if (Math.floor((payload.length * 3) / 4) > settings.maxBytes + 2) throw tooLarge(file, name, settings.maxBytes);
  const bytes = Buffer.from(payload, payload.includes("-") || payload.includes("_") ? "base64url" : "base64");
  if (bytes.length > settings.maxBytes) throw tooLarge(file, name, settings.maxBytes);
  return bytes;
}

const tooLarge = (file: IncomingFile, name: string, max: number) =>
  new DomainError("full", `${file.path}.file_data: file '${name}' is larger than the ${max}-byte limit for a document (MEMCUBE_DOCUMENT_MAX_BYTES)`);

/** The name a file is known by in its cube: the client's file_id, else its name, else its content. */
const keyOf = (file: IncomingFile, hash?: string) => file.fileId ?? file.filename ?? (hash === undefined ? undefined : `sha256:${hash.slice(0, 32)}`);

const short = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** The chunks of a file a cube holds, in document order. */
export async function fileChunks(context: MemoryContext, cubeId: string, fileKey: string): Promise<MemoryRecord[]> {
  const ids = await context.store.memoryIds({ cubeId, filter: { field: "info.file_id", op: "eq", value: fileKey } });
  const memories = await context.store.getMemories(ids);
  return memories.filter((memory) => memory.source === "file").sort((a, b) => chunkIndexOf(a) - chunkIndexOf(b));
}

const chunkIndexOf = (memory: MemoryRecord) => (typeof memory.info.chunk_index === "number" ? memory.info.chunk_index : 0);

interface ReadFile {
  file: IncomingFile;
  key: string;
  name: string;
  document: ReadDocument;
  /** The chunk texts with their info; one note when the file has no text. */
  chunks: { text: string; indexed: string; info: ChunkInfo }[];
}

/** What a file that parses but holds no text is stored as: the note says so, never an empty success. */
const noTextNote = (name: string, format: string) =>
  format === "pdf"
    ? `[file: ${name}: no extractable text (a scanned or image-only PDF; memcube does no OCR)]`
    : `[file: ${name}: no extractable text]`;

async function readFile(settings: DocumentSettings, file: IncomingFile & { data: string }): Promise<ReadFile> {
  const provisional = file.filename ?? file.fileId ?? "unnamed file";
  const bytes = await bytesOf(settings, file, provisional);
  let document: ReadDocument;
  try {
    document = await readDocument(bytes, settings.budget);
  } catch (error) {
    if (error instanceof DocumentUnreadable) throw new DomainError("unprocessable", `${file.path}: file '${provisional}' cannot be read: ${error.reason}`);
    throw error;
  }
  const key = keyOf(file, document.hash) ?? document.hash;
  const name = file.filename ?? file.fileId ?? document.title ?? key;
  const base = { file_id: key, filename: name, doc_path: name, file_hash: document.hash, file_format: document.format };
  const total = Math.max(1, document.chunks.length);
  const chunks =
    document.chunks.length === 0
      ? [
          {
            text: noTextNote(name, document.format),
            indexed: `${name} ${noTextNote(name, document.format)}`,
            info: { ...base, chunk_index: 0, chunk_total: 1, heading_path: [], char_start: 0, char_end: 0, no_text: true as const },
          },
        ]
      : document.chunks.map((chunk, index) => ({
          text: chunk.text,
          indexed: [name, ...chunk.headingPath, chunk.text].join("\n"),
          info: {
            ...base,
            chunk_index: index,
            chunk_total: total,
            ...(chunk.page !== undefined && { page: chunk.page }),
            heading_path: chunk.headingPath,
            char_start: chunk.start,
            char_end: chunk.end,
          },
        }));
  return { file, key, name, document, chunks };
}

/**
 * Adds the files to every cube named. A part with content is read (all of them before anything is
 * written); a part with only a file_id names a file the cubes hold already (422 when one does not).
 */
export async function addDocuments(context: MemoryContext, request: DocumentAddRequest): Promise<DocumentAddResult> {
  await checkWritable(context, request.userId, request.cubeIds);
  const settings = settingsOf(context);
  const notices: string[] = [];
  const read: ReadFile[] = [];
  const referenced: { file: IncomingFile; key: string }[] = [];
  for (const file of request.files) {
    if (file.data === undefined || file.data.trim() === "") {
      const key = keyOf(file);
      if (key === undefined) throw new DomainError("unprocessable", `${file.path}: a file part needs file_data (base64 content or a URL) or the file_id of a file added earlier`);
      referenced.push({ file, key });
      continue;
    }
    read.push(await readFile(settings, { ...file, data: file.data }));
    request.signal?.throwIfAborted();
  }
  for (const { file, key } of referenced) {
    for (const cubeId of request.cubeIds) {
      if ((await fileChunks(context, cubeId, key)).length === 0) {
        throw new DomainError("unprocessable", `${file.path}.file_id: no file '${key}' in cube '${cubeId}': send its file_data to add it`);
      }
    }
  }
  // Per cube: what each file holds now, which decides no-op or replacement.
  const now = context.now().toISOString();
  const held = new Map<string, MemoryRecord[]>();
  for (const cubeId of request.cubeIds) for (const file of read) held.set(`${cubeId}\n${file.key}`, await fileChunks(context, cubeId, file.key));
  const changed = (cubeId: string, file: ReadFile) => {
    const chunks = held.get(`${cubeId}\n${file.key}`) ?? [];
    return chunks.length !== file.chunks.length || chunks.some((chunk) => chunk.info.file_hash !== file.document.hash);
  };
  const writes = request.cubeIds.flatMap((cubeId) => read.filter((file) => changed(cubeId, file)).map((file) => ({ cubeId, file })));
  for (const file of read) {
    if (file.document.chunks.length === 0) notices.push(`file '${file.name}' has no extractable text: it is stored as a note saying so`);
    if (request.cubeIds.every((cubeId) => !changed(cubeId, file))) notices.push(`file '${file.name}' is unchanged: nothing was added`);
  }
  if (writes.length > 0) await writeChunks(context, request, writes, now);
  const added: AddedMemory[] = [];
  for (const cubeId of request.cubeIds) {
    for (const key of [...read.map((file) => file.key), ...referenced.map((entry) => entry.key)]) {
      for (const memory of await fileChunks(context, cubeId, key)) added.push({ memory });
    }
  }
  return { added, notices };
}

/**
 * Stores the chunks of new and changed files in one transaction, then removes the chunks they
 * replace. Message ids come from the file and its content, so a retry after a crash between the
 * two steps finds its chunks stored and removes what is left of the old version.
 */
async function writeChunks(context: MemoryContext, request: DocumentAddRequest, writes: { cubeId: string; file: ReadFile }[], now: string): Promise<void> {
  const files = [...new Set(writes.map((write) => write.file))];
  const chunkMessages: IncomingMessage[] = files.flatMap((file) => file.chunks.map((chunk) => ({ role: "user" as const, content: chunk.text, ownInfo: { ...chunk.info } })));
  const cubesOfFile = (file: ReadFile) => writes.filter((write) => write.file === file).map((write) => write.cubeId);
  for (const file of files) {
    await checkQuota(context, {
      cubeIds: cubesOfFile(file),
      messages: chunkMessages.filter((message) => message.ownInfo?.file_hash === file.document.hash),
      ...(request.tags !== undefined && { tags: [...request.tags, DOCUMENT_TAG] }),
      ...(request.info !== undefined && { info: request.info }),
    });
  }
  const embedded = files.flatMap((file) => file.chunks.map((chunk) => [...chunk.info.heading_path, chunk.text].join("\n")));
  const vectors = await embedWhereMeaningful(context, embedded, request.signal);
  const vectorOf = new Map<ReadFile, (Float32Array | null)[]>();
  let at = 0;
  for (const file of files) {
    vectorOf.set(file, vectors.slice(at, at + file.chunks.length));
    at += file.chunks.length;
  }
  const tags = [...new Set([...(request.tags ?? []), DOCUMENT_TAG])];
  const entries = writes.flatMap(({ cubeId, file }) =>
    file.chunks.map((chunk, index) => {
      const messageId = `file:${short(file.key)}:${file.document.hash.slice(0, 16)}:${index}`;
      return {
        message: { cubeId, messageId, sessionId: request.sessionId, role: "user" as const, content: chunk.text, chatTime: now, createdAt: now },
        memory: {
          id: crypto.randomUUID(),
          cubeId,
          userId: request.userId,
          sessionId: request.sessionId,
          text: chunk.text,
          memoryType: "LongTermMemory" as const,
          key: "",
          tags,
          confidence: 1,
          source: "file" as const,
          background: "",
          info: { ...request.info, ...chunk.info },
          chatTime: now,
          createdAt: now,
          updatedAt: now,
          sourceMessageIds: [messageId],
          vector: vectorOf.get(file)?.[index] ?? null,
          keywords: indexTextOf(chunk.indexed),
        },
      };
    }),
  );
  request.signal?.throwIfAborted();
  try {
    await context.store.addConversation({ userId: request.userId, now, entries });
  } catch (error) {
    if (error instanceof CubeWriteRefused) throw cubeForbidden(request.userId, error.cubeId, "write");
    throw error;
  }
  for (const { cubeId, file } of writes) {
    const stale = (await fileChunks(context, cubeId, file.key)).filter((memory) => memory.info.file_hash !== file.document.hash);
    if (stale.length > 0) await context.store.deleteMemories(cubeId, stale.map((memory) => memory.id));
  }
}
