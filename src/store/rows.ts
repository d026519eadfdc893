import type {
  JobRecord,
  JobStatus,
  MemoryRecord,
  MemorySourceKind,
  MemoryStatus,
  MemoryType,
  MessageRecord,
  MessageRole,
} from "./types.js";

/**
 * Rows as the stores read them, with JSON columns already decoded (SQLite keeps them as text and
 * decodes them first; PostgreSQL's jsonb arrives decoded), mapped to records in one place.
 */
export interface MessageRow {
  cube_id: string;
  message_id: string;
  session_id: string;
  role: string;
  content: string;
  chat_time: string;
  created_at: string;
}

export interface MemoryRow {
  id: string;
  cube_id: string;
  user_id: string;
  session_id: string;
  text: string;
  memory_type: string;
  key: string;
  tags: string[];
  status: string;
  confidence: number;
  source: string;
  background: string;
  info: Record<string, unknown>;
  chat_time: string;
  created_at: string;
  updated_at: string;
}

export interface JobRow {
  id: number | string;
  task_id: string;
  kind: string;
  cube_id: string;
  user_id: string;
  payload: Record<string, unknown>;
  status: string;
  attempts: number;
  run_after: string;
  last_error: string | null;
  result: Record<string, unknown> | null;
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
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
    tags: row.tags,
    status: row.status as MemoryStatus,
    confidence: row.confidence,
    source: row.source as MemorySourceKind,
    background: row.background,
    info: row.info,
    chatTime: row.chat_time,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sources,
  };
}

export function rowToJob(row: JobRow): JobRecord {
  return {
    id: Number(row.id),
    taskId: row.task_id,
    kind: row.kind,
    cubeId: row.cube_id,
    userId: row.user_id,
    payload: row.payload,
    status: row.status as JobStatus,
    attempts: row.attempts,
    runAfter: row.run_after,
    lastError: row.last_error,
    result: row.result,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
