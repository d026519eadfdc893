import {
  JOB_STATUSES,
  MEMORY_STATUSES,
  MEMORY_TYPES,
  type CubeAccess,
  type CubeRecord,
  type JobRecord,
  type MemoryRecord,
  type MemorySourceKind,
  type MemoryVersion,
  type MessageRecord,
  type MessageRole,
} from "../types.js";
import type { EmbedderIdentity } from "../store.js";
import { jsonObject, nullable, number, oneOf, rowOf, stringList, text, type JsonColumn } from "./decode.js";

/**
 * One decoder per table, from a row as the driver returns it (snake_case columns) to its record.
 * JSON columns differ by driver (SQLite keeps text, PostgreSQL's jsonb arrives parsed): the
 * decoders that read them are made for a driver's `JsonColumn`.
 */

const MESSAGE_ROLES = ["user", "assistant", "system"] as const satisfies readonly MessageRole[];
const SOURCE_KINDS = ["conversation", "file", "system"] as const satisfies readonly MemorySourceKind[];
const ACCESS = ["owner", "write", "read"] as const satisfies readonly CubeAccess[];

const messageRow = rowOf("messages", {
  cube_id: text,
  message_id: text,
  session_id: text,
  role: oneOf(MESSAGE_ROLES),
  content: text,
  chat_time: text,
  created_at: text,
});

export function messageFrom(row: unknown): MessageRecord {
  const m = messageRow(row);
  return {
    cubeId: m.cube_id,
    messageId: m.message_id,
    sessionId: m.session_id,
    role: m.role,
    content: m.content,
    chatTime: m.chat_time,
    createdAt: m.created_at,
  };
}

const cubeRow = rowOf("cubes", { id: text, name: text, owner_id: text, created_at: text });

export function cubeFrom(row: unknown): CubeRecord {
  const c = cubeRow(row);
  return { id: c.id, name: c.name, ownerId: c.owner_id, createdAt: c.created_at };
}

/** `access`: the user's access to a cube (`owner` computed by the query), null when none. */
export const accessRow = rowOf("cube_access", { access: nullable(oneOf(ACCESS)) });

const historyRow = rowOf("memory_history", {
  memory_id: text,
  text,
  memory_type: oneOf(MEMORY_TYPES),
  status: oneOf(MEMORY_STATUSES),
  replaced_by: nullable(text),
  changed_at: text,
  reason: text,
});

export function versionFrom(row: unknown): MemoryVersion {
  const h = historyRow(row);
  return {
    memoryId: h.memory_id,
    text: h.text,
    memoryType: h.memory_type,
    status: h.status,
    replacedBy: h.replaced_by,
    changedAt: h.changed_at,
    reason: h.reason,
  };
}

/** A memory without its sources (which come from another table). */
export type MemoryFields = Omit<MemoryRecord, "sources">;

/** Decodes `memories` rows whose JSON columns come as the driver hands them over. */
export function memoryDecoder(json: JsonColumn): (row: unknown) => MemoryFields {
  const memoryRow = rowOf("memories", {
    id: text,
    cube_id: text,
    user_id: text,
    session_id: text,
    text,
    memory_type: oneOf(MEMORY_TYPES),
    key: text,
    tags: json(stringList),
    status: oneOf(MEMORY_STATUSES),
    confidence: number,
    source: oneOf(SOURCE_KINDS),
    background: text,
    info: json(jsonObject),
    chat_time: text,
    created_at: text,
    updated_at: text,
  });
  return (row) => {
    const m = memoryRow(row);
    return {
      id: m.id,
      cubeId: m.cube_id,
      userId: m.user_id,
      sessionId: m.session_id,
      text: m.text,
      memoryType: m.memory_type,
      key: m.key,
      tags: m.tags,
      status: m.status,
      confidence: m.confidence,
      source: m.source,
      background: m.background,
      info: m.info,
      chatTime: m.chat_time,
      createdAt: m.created_at,
      updatedAt: m.updated_at,
    };
  };
}

/** Decodes `jobs` rows whose JSON columns come as the driver hands them over. */
export function jobDecoder(json: JsonColumn): (row: unknown) => JobRecord {
  const jobRow = rowOf("jobs", {
    id: number,
    task_id: text,
    kind: text,
    cube_id: text,
    user_id: text,
    payload: json(jsonObject),
    status: oneOf(JOB_STATUSES),
    attempts: number,
    run_after: text,
    last_error: nullable(text),
    result: nullable(json(jsonObject)),
    locked_by: nullable(text),
    locked_until: nullable(text),
    created_at: text,
    updated_at: text,
  });
  return (row) => {
    const j = jobRow(row);
    return {
      id: j.id,
      taskId: j.task_id,
      kind: j.kind,
      cubeId: j.cube_id,
      userId: j.user_id,
      payload: j.payload,
      status: j.status,
      attempts: j.attempts,
      runAfter: j.run_after,
      lastError: j.last_error,
      result: j.result,
      lockedBy: j.locked_by,
      lockedUntil: j.locked_until,
      createdAt: j.created_at,
      updatedAt: j.updated_at,
    };
  };
}

const identityRow = rowOf("meta", { name: text, dimension: number });

/** The embedder recorded in `meta` (stored as JSON text). */
export function identityFrom(value: unknown): EmbedderIdentity {
  return identityRow(JSON.parse(text(value)));
}
