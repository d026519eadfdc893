import type { MemoryRecord, MemorySourceKind, MemoryStatus, MemoryType, MessageRecord, MessageRole } from "../types.js";

/** A `memories` row as SQLite returns it. */
export interface MemoryRow {
  rowid: number;
  id: string;
  cube_id: string;
  user_id: string;
  session_id: string;
  text: string;
  memory_type: string;
  key: string;
  tags: string;
  status: string;
  confidence: number;
  source: string;
  background: string;
  info: string;
  chat_time: string;
  created_at: string;
  updated_at: string;
}

export interface MessageRow {
  cube_id: string;
  message_id: string;
  session_id: string;
  role: string;
  content: string;
  chat_time: string;
  created_at: string;
}

export function rowToMessage(row: MessageRow): MessageRecord {
  return {
    cubeId: row.cube_id,
    messageId: row.message_id,
    sessionId: row.session_id,
    role: row.role as MessageRole,
    content: row.content,
    chatTime: row.chat_time,
    createdAt: row.created_at,
  };
}

export function rowToMemory(row: MemoryRow, sources: MessageRecord[]): MemoryRecord {
  return {
    id: row.id,
    cubeId: row.cube_id,
    userId: row.user_id,
    sessionId: row.session_id,
    text: row.text,
    memoryType: row.memory_type as MemoryType,
    key: row.key,
    tags: JSON.parse(row.tags) as string[],
    status: row.status as MemoryStatus,
    confidence: row.confidence,
    source: row.source as MemorySourceKind,
    background: row.background,
    info: JSON.parse(row.info) as Record<string, unknown>,
    chatTime: row.chat_time,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sources,
  };
}
