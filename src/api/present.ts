import type { MemoryRecord, MemoryVersion } from "../store/types.js";
import type { GraphNode, MemoryItem, StoredItem } from "./schemas/common.js";

/**
 * How memcube's memories look on the wire: MemOS's item shapes (its tree-memory metadata, every key
 * present, null or MemOS's default where memcube has no value), plus memcube's own `cube_id` and
 * `chat_time`. A search hit, a stored item (get_memory/{id}) and a graph node (get_all, get_memory)
 * differ only in what MemOS puts in or leaves out.
 */

/** MemOS's short citation id: the id's first dash-separated group, in brackets (`[caa48141]`). */
export const refIdOf = (id: string) => `[${id.split("-")[0]}]`;

/** The MemOS update kind an earlier version of a memory stands for. */
const updateTypeOf = (version: MemoryVersion) =>
  version.reason.startsWith("updated") ? ("conflict" as const) : version.reason.includes("feedback") ? ("feedback" as const) : ("extract" as const);

/**
 * memcube's version history (newest first) in MemOS's `metadata.history` form, oldest first. memcube
 * keeps an earlier version's text, not a node of its own, so `archived_memory_id` is null.
 */
function archivedVersions(history: readonly MemoryVersion[]) {
  return [...history].reverse().map((version, index) => ({
    version: index + 1,
    is_fast: false,
    memory: version.text,
    update_type: updateTypeOf(version),
    archived_memory_id: null,
    created_at: version.changedAt,
    timespec: null,
    memory_form: null,
  }));
}

const asNumber = (value: unknown, fallback: number) => (typeof value === "number" && Number.isFinite(value) ? value : fallback);

/** A document chunk's source, from what memory/documents.ts keeps in its info; undefined for other memories. */
function documentOf(memory: MemoryRecord) {
  const info = memory.info;
  if (memory.source !== "file" || typeof info.file_id !== "string" || typeof info.file_hash !== "string") return undefined;
  const filename = typeof info.filename === "string" ? info.filename : info.file_id;
  return {
    file_info: {
      file_id: info.file_id,
      filename,
      format: typeof info.file_format === "string" ? info.file_format : "text",
      sha256: info.file_hash,
      page: typeof info.page === "number" ? info.page : null,
      heading_path: Array.isArray(info.heading_path) ? info.heading_path.map(String) : [],
      char_start: asNumber(info.char_start, 0),
      char_end: asNumber(info.char_end, 0),
      no_text: info.no_text === true,
    },
    doc_path: filename,
    chunk_index: asNumber(info.chunk_index, 0),
    chunk_total: asNumber(info.chunk_total, 1),
  };
}

function sourcesOf(memory: MemoryRecord) {
  const document = documentOf(memory);
  return memory.sources.map((message) =>
    document === undefined
      ? {
          type: "chat" as const,
          role: message.role,
          chat_time: message.chatTime,
          message_id: message.messageId,
          content: message.content,
          doc_path: null,
          file_info: null,
          image_info: null,
        }
      : {
          type: "file" as const,
          role: null,
          chat_time: message.chatTime,
          message_id: message.messageId,
          content: message.content,
          doc_path: document.doc_path,
          file_info: document.file_info,
          image_info: null,
          chunk_index: document.chunk_index,
          chunk_total: document.chunk_total,
        },
  );
}

/** The metadata MemOS's tree memories carry, without `embedding` (each shape decides it). */
function treeMetadata(memory: MemoryRecord, history: readonly MemoryVersion[]) {
  return {
    memory_type: memory.memoryType,
    key: memory.key,
    tags: memory.tags,
    user_id: memory.userId,
    cube_id: memory.cubeId,
    session_id: memory.sessionId,
    status: memory.status,
    is_fast: null,
    evolve_to: [] as string[],
    version: history.length + 1,
    history: archivedVersions(history),
    working_binding: null,
    type: null,
    confidence: memory.confidence,
    source: memory.source,
    visibility: null,
    created_at: memory.createdAt,
    updated_at: memory.updatedAt,
    chat_time: memory.chatTime,
    sources: sourcesOf(memory),
    usage: [] as string[],
    background: memory.background,
    file_ids: documentOf(memory) === undefined ? [] : [String(memory.info.file_id)],
    info: memory.info,
    internal_info: null,
    covered_history: null,
  };
}

/**
 * A search (or chat) hit: MemOS empties `embedding` and `usage`, adds the score as `relativity`,
 * and repeats id, memory and ref_id inside the metadata. Preferences also say which kind they are
 * and what is preferred (MemOS builds `pref_string` from that); memcube does not tell explicit from
 * implicit preferences apart, so each is an explicit one.
 */
export function memoryItem(memory: MemoryRecord, relativity?: number): MemoryItem {
  const refId = refIdOf(memory.id);
  return {
    id: memory.id,
    memory: memory.text,
    ref_id: refId,
    metadata: {
      ...treeMetadata(memory, []),
      version: 1,
      embedding: [],
      relativity: relativity ?? null,
      id: memory.id,
      memory: memory.text,
      ref_id: refId,
      ...(memory.memoryType === "PreferenceMemory" && { preference_type: "explicit_preference" as const, preference: memory.text }),
    },
  };
}

/** A node of get_all / get_memory: the stored attributes, no embedding (MemOS leaves it out of listings). */
export function graphNode(memory: MemoryRecord): GraphNode {
  return { id: memory.id, memory: memory.text, metadata: treeMetadata(memory, []) };
}

/** get_memory/{id}: the stored item whole, its vector and its earlier versions included. */
export function storedItem(memory: MemoryRecord, history: readonly MemoryVersion[], vector: Float32Array | undefined): StoredItem {
  return {
    id: memory.id,
    memory: memory.text,
    metadata: { ...treeMetadata(memory, history), embedding: vector ? Array.from(vector) : null },
  };
}

/** memcube's own form of an earlier version, kept beside MemOS's `metadata.history` for existing clients. */
export function memoryVersion(version: MemoryVersion) {
  return {
    memory: version.text,
    memory_type: version.memoryType,
    status: version.status,
    replaced_by: version.replacedBy,
    changed_at: version.changedAt,
    reason: version.reason,
  };
}
