import type { MemoryRecord, MemoryVersion } from "../store/types.js";
import type { MemoryItem } from "./schemas/common.js";

/** A stored memory as the MemOS wire format shows it. */
export function memoryItem(memory: MemoryRecord, relativity?: number): MemoryItem {
  return {
    id: memory.id,
    memory: memory.text,
    ref_id: memory.id.replaceAll("-", "").slice(0, 8),
    metadata: {
      memory_type: memory.memoryType,
      key: memory.key,
      tags: memory.tags,
      user_id: memory.userId,
      cube_id: memory.cubeId,
      session_id: memory.sessionId,
      status: memory.status,
      confidence: memory.confidence,
      source: memory.source,
      created_at: memory.createdAt,
      updated_at: memory.updatedAt,
      chat_time: memory.chatTime,
      sources: memory.sources.map((message) => ({
        type: "chat" as const,
        role: message.role,
        chat_time: message.chatTime,
        message_id: message.messageId,
        content: message.content,
      })),
      ...(relativity === undefined ? {} : { relativity }),
      background: memory.background,
      info: memory.info,
    },
  };
}

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
