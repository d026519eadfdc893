/**
 * Export and import of a cube's memories as a JSON file. Export pages through `POST /product/get_all`
 * (facts, then preferences); import writes the memories back with `POST /product/add` in fast mode
 * (one memory per text, no model needed), keeping when they were said, their session and tags, and
 * skips any text the cube already holds, so importing the same file twice adds nothing the second time.
 * What the file cannot bring back: ids, types (they come back as the fast mode stores them) and history.
 */
import { ApiError, api } from "./api";
import type { GraphNode } from "./wire";

export const EXPORT_FORMAT = "memcube-memories";
const PAGE_SIZE = 200;
const ADD_BATCH = 100;

export interface ExportedMemory {
  id: string;
  memory: string;
  memory_type: string;
  chat_time: string;
  created_at: string;
  session_id: string;
  tags: string[];
}

export interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: 1;
  cube_id: string;
  exported_at: string;
  memories: ExportedMemory[];
}

/** Every active memory of the cube (none for a cube not written yet). */
export async function allNodes(userId: string, cubeId: string): Promise<GraphNode[]> {
  const nodes = new Map<string, GraphNode>();
  for (const kind of ["text_mem", "pref_mem"] as const) {
    for (let page = 1; ; page += 1) {
      let bucket;
      try {
        bucket = (await api.allMemories(userId, cubeId, kind, page, PAGE_SIZE))[0];
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return [];
        throw error;
      }
      const found = bucket?.memories[0]?.nodes ?? [];
      for (const node of found) nodes.set(node.id, node);
      if (!bucket || found.length === 0 || page * PAGE_SIZE >= bucket.total_nodes) break;
    }
  }
  return [...nodes.values()];
}

export async function exportCube(userId: string, cubeId: string): Promise<ExportFile> {
  const nodes = await allNodes(userId, cubeId);
  return {
    format: EXPORT_FORMAT,
    version: 1,
    cube_id: cubeId,
    exported_at: new Date().toISOString(),
    memories: nodes.map(({ id, memory, metadata }) => ({
      id,
      memory,
      memory_type: metadata.memory_type,
      chat_time: metadata.chat_time,
      created_at: metadata.created_at,
      session_id: metadata.session_id,
      tags: metadata.tags,
    })),
  };
}

/** The memories of an export file, or an error saying what is wrong with it. */
export function parseExport(text: string): { memory: string; chat_time?: string; session_id?: string; tags?: string[] }[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("the file is not JSON");
  }
  const memories = value && typeof value === "object" && "memories" in value ? value.memories : undefined;
  if (!Array.isArray(memories)) throw new Error(`the file has no "memories" list (expected a ${EXPORT_FORMAT} export)`);
  return memories.map((entry: unknown, index) => {
    if (!entry || typeof entry !== "object" || !("memory" in entry) || typeof entry.memory !== "string" || !entry.memory.trim()) {
      throw new Error(`memories[${index}].memory: expected a non-empty string`);
    }
    const record = entry as Record<string, unknown>;
    return {
      memory: entry.memory,
      ...(typeof record.chat_time === "string" && { chat_time: record.chat_time }),
      ...(typeof record.session_id === "string" && record.session_id && { session_id: record.session_id }),
      ...(Array.isArray(record.tags) && { tags: record.tags.filter((tag): tag is string => typeof tag === "string" && tag.trim() !== "") }),
    };
  });
}

export async function importInto(userId: string, cubeId: string, text: string): Promise<{ added: number; skipped: number }> {
  const incoming = parseExport(text);
  const present = new Set((await allNodes(userId, cubeId)).map((node) => node.memory));
  // Against what the cube held before: two memories of the same text in the file stay two, as they were.
  const fresh = incoming.filter((entry) => !present.has(entry.memory));
  // One add per session and tag set, as the memories were written.
  const groups = new Map<string, typeof fresh>();
  for (const entry of fresh) {
    const key = JSON.stringify([entry.session_id ?? "imported", entry.tags ?? []]);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  let added = 0;
  for (const [key, entries] of groups) {
    const [sessionId, tags] = JSON.parse(key) as [string, string[]];
    for (let start = 0; start < entries.length; start += ADD_BATCH) {
      const batch = entries.slice(start, start + ADD_BATCH);
      const messages = batch.map((entry) => ({ role: "user" as const, content: entry.memory, ...(entry.chat_time && { chat_time: entry.chat_time }) }));
      added += (await api.addMemories(userId, cubeId, sessionId, messages, tags)).length;
    }
  }
  return { added, skipped: incoming.length - fresh.length };
}
