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
import { chunkIndexText, indexTextOf } from "./index-terms.js";
import { DOCUMENT_JOB, type DocumentPayload } from "./document-job-payload.js";

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
  /** "sync": the chunks are stored (searchable) when this returns; "async" (default): a durable job per file and cube stores them. */
  asyncMode?: "async" | "sync";
  clientTaskId?: string;
  signal?: AbortSignal;
}

export interface DocumentAddResult {
  added: AddedMemory[];
  /** Async: the jobs that store the files, one per file and cube. */
  tasks: { taskId: string; cubeId: string; fileId: string }[];
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
      if (error instanceof UrlRefused)
        throw new DomainError(error.tooLarge ? "full" : "unprocessable", `${file.path}.file_data: file '${name}': ${error.message}`);
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
  // A file named without content (a `[file: name]` marker) has no hash: it is not a document's chunk.
  return memories.filter((memory) => memory.source === "file" && typeof memory.info.file_hash === "string").sort((a, b) => chunkIndexOf(a) - chunkIndexOf(b));
}

const chunkIndexOf = (memory: MemoryRecord) => (typeof memory.info.chunk_index === "number" ? memory.info.chunk_index : 0);

/** A file ready to store: what a document job carries too. */
export interface PreparedFile {
  key: string;
  name: string;
  hash: string;
  /** The chunk texts with their info; one note when the file has no text. */
  chunks: { text: string; indexed: string; info: ChunkInfo }[];
}

interface ReadFile extends PreparedFile {
  file: IncomingFile;
  document: ReadDocument;
}

/** What a file that parses but holds no text is stored as: the note says so, never an empty success. */
const noTextNote = (name: string, format: string) =>
  format === "pdf" ? `[file: ${name}: no extractable text (a scanned or image-only PDF; memcube does no OCR)]` : `[file: ${name}: no extractable text]`;

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
            indexed: chunkIndexText(name, [], noTextNote(name, document.format)),
            info: { ...base, chunk_index: 0, chunk_total: 1, heading_path: [], char_start: 0, char_end: 0, no_text: true as const },
          },
        ]
      : document.chunks.map((chunk, index) => ({
          text: chunk.text,
          indexed: chunkIndexText(name, chunk.headingPath, chunk.text),
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
  return { file, key, name, hash: document.hash, document, chunks };
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
    if (file.data !== undefined && file.data.trim() === "") {
      throw new DomainError(
        "unprocessable",
        `${file.path}.file_data: file '${file.filename ?? file.fileId ?? "unnamed file"}' cannot be read: the file is empty`,
      );
    }
    if (file.data === undefined) {
      const key = keyOf(file);
      if (key === undefined)
        throw new DomainError("unprocessable", `${file.path}: a file part needs file_data (base64 content or a URL) or the file_id of a file added earlier`);
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
    return chunks.length !== file.chunks.length || chunks.some((chunk) => chunk.info.file_hash !== file.hash);
  };
  const writes = request.cubeIds.flatMap((cubeId) => read.filter((file) => changed(cubeId, file)).map((file) => ({ cubeId, file })));
  for (const file of read) {
    if (file.document.chunks.length === 0) notices.push(`file '${file.name}' has no extractable text: it is stored as a note saying so`);
    if (request.cubeIds.every((cubeId) => !changed(cubeId, file))) notices.push(`file '${file.name}' is unchanged: nothing was added`);
  }
  if (writes.length === 0) return { added: await heldChunks(context, request.cubeIds, [...read, ...referenced]), tasks: [], notices };
  await checkRoom(context, request, writes);
  const target: ChunkTarget = {
    userId: request.userId,
    sessionId: request.sessionId,
    tags: [...new Set([...(request.tags ?? []), DOCUMENT_TAG])],
    info: request.info ?? {},
    ...(request.signal !== undefined && { signal: request.signal }),
  };
  if (request.asyncMode === "sync") {
    await storeChunks(context, target, writes, now);
    return { added: await heldChunks(context, request.cubeIds, [...read, ...referenced]), tasks: [], notices };
  }
  const tasks = await enqueueDocumentJobs(context, target, writes, now, request.clientTaskId);
  // What the cubes hold already (unchanged files, files named by file_id) is answered now; the rest when its job is done.
  const pending = new Set(writes.map(({ cubeId, file }) => `${cubeId}\n${file.key}`));
  const added = (await heldChunks(context, request.cubeIds, [...read, ...referenced])).filter(
    ({ memory }) => !pending.has(`${memory.cubeId}\n${String(memory.info.file_id)}`),
  );
  for (const task of tasks) notices.push(`file '${task.fileId}' is stored in the background by task ${task.taskId} (/product/scheduler/status)`);
  return { added, tasks, notices };
}

async function heldChunks(context: MemoryContext, cubeIds: readonly string[], files: readonly { key: string }[]): Promise<AddedMemory[]> {
  const added: AddedMemory[] = [];
  for (const cubeId of cubeIds) {
    for (const key of new Set(files.map((file) => file.key))) for (const memory of await fileChunks(context, cubeId, key)) added.push({ memory });
  }
  return added;
}

/** Who writes the chunks, and what every chunk of the add carries. */
export interface ChunkTarget {
  userId: string;
  sessionId: string;
  tags: string[];
  info: Record<string, unknown>;
  signal?: AbortSignal;
}

/** The cube quotas, checked before anything is written or queued (413 for the whole add). */
async function checkRoom(context: MemoryContext, request: DocumentAddRequest, writes: readonly { cubeId: string; file: PreparedFile }[]): Promise<void> {
  for (const file of new Set(writes.map((write) => write.file))) {
    await checkQuota(context, {
      cubeIds: writes.filter((write) => write.file === file).map((write) => write.cubeId),
      messages: file.chunks.map((chunk): IncomingMessage => ({ role: "user", content: chunk.text, ownInfo: { ...chunk.info } })),
      tags: [...(request.tags ?? []), DOCUMENT_TAG],
      ...(request.info !== undefined && { info: request.info }),
    });
  }
}

/**
 * Stores the chunks of new and changed files in one transaction, then removes the chunks they
 * replace. Message ids come from the file and its content, so a retry after a crash between the
 * two steps (or a document job run twice) finds its chunks stored and removes what is left of the
 * old version.
 */
export async function storeChunks(
  context: MemoryContext,
  target: ChunkTarget,
  writes: readonly { cubeId: string; file: PreparedFile }[],
  now: string,
): Promise<void> {
  const files = [...new Set(writes.map((write) => write.file))];
  const embedded = files.flatMap((file) => file.chunks.map((chunk) => [...chunk.info.heading_path, chunk.text].join("\n")));
  const vectors = await embedWhereMeaningful(context, embedded, target.signal);
  const vectorOf = new Map<PreparedFile, (Float32Array | null)[]>();
  let at = 0;
  for (const file of files) {
    vectorOf.set(file, vectors.slice(at, at + file.chunks.length));
    at += file.chunks.length;
  }
  const entries = writes.flatMap(({ cubeId, file }) =>
    file.chunks.map((chunk, index) => {
      const messageId = `file:${short(file.key)}:${file.hash.slice(0, 16)}:${index}`;
      return {
        message: { cubeId, messageId, sessionId: target.sessionId, role: "user" as const, content: chunk.text, chatTime: now, createdAt: now },
        memory: {
          id: crypto.randomUUID(),
          cubeId,
          userId: target.userId,
          sessionId: target.sessionId,
          text: chunk.text,
          memoryType: "LongTermMemory" as const,
          key: "",
          tags: target.tags,
          confidence: 1,
          source: "file" as const,
          background: "",
          info: { ...target.info, ...chunk.info },
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
  target.signal?.throwIfAborted();
  try {
    await context.store.addConversation({ userId: target.userId, now, entries });
  } catch (error) {
    if (error instanceof CubeWriteRefused) throw cubeForbidden(target.userId, error.cubeId, "write");
    throw error;
  }
  for (const { cubeId, file } of writes) {
    const stale = (await fileChunks(context, cubeId, file.key)).filter((memory) => memory.info.file_hash !== file.hash);
    if (stale.length > 0)
      await context.store.deleteMemories(
        cubeId,
        stale.map((memory) => memory.id),
      );
  }
}

/** One durable job per file and cube, enqueued after the user's right to write each cube is checked. */
async function enqueueDocumentJobs(
  context: MemoryContext,
  target: ChunkTarget,
  writes: readonly { cubeId: string; file: PreparedFile }[],
  now: string,
  clientTaskId: string | undefined,
): Promise<DocumentAddResult["tasks"]> {
  const jobs = writes.map(({ cubeId, file }) => {
    const payload: DocumentPayload = {
      sessionId: target.sessionId,
      tags: target.tags,
      info: target.info,
      ...(clientTaskId !== undefined && { clientTaskId }),
      file: { key: file.key, name: file.name, hash: file.hash, chunks: file.chunks },
    };
    return { taskId: crypto.randomUUID(), kind: DOCUMENT_JOB, cubeId, userId: target.userId, messageIds: [], payload, runAfter: now };
  });
  target.signal?.throwIfAborted();
  try {
    await context.store.addConversation({ userId: target.userId, now, entries: [], standaloneJobs: jobs });
  } catch (error) {
    if (error instanceof CubeWriteRefused) throw cubeForbidden(target.userId, error.cubeId, "write");
    throw error;
  }
  context.documentJobs?.wake();
  return jobs.map((job) => ({ taskId: job.taskId, cubeId: job.cubeId, fileId: job.payload.file.key }));
}
