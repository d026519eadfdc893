import {
  JOB_STATUSES,
  MEMORY_STATUSES,
  MEMORY_TYPES,
  type CubeAccess,
  type CubeRecord,
  type JobCount,
  type JobRecord,
  type MemoryRecord,
  type MemoryText,
  type MemorySourceKind,
  type MemoryVersion,
  type MessageRecord,
  type MessageRole,
  type UserCube,
} from "../types.js";
import type { EmbedderIdentity } from "../store.js";
import { type JsonColumn, jsonObject, nullable, number, oneOf, recordOf, rowOf, stringList, text } from "./decode.js";

/**
 * One decoder per table, from a row as the driver returns it (snake_case columns) to its record.
 * JSON columns differ by driver (SQLite keeps text, PostgreSQL's jsonb arrives parsed): the
 * decoders that read them are made for a driver's `JsonColumn`.
 */

const MESSAGE_ROLES = ["user", "assistant", "system", "tool"] as const satisfies readonly MessageRole[];
const SOURCE_KINDS = ["conversation", "file", "system"] as const satisfies readonly MemorySourceKind[];
const ACCESS = ["owner", "write", "read"] as const satisfies readonly CubeAccess[];

export const messageFrom: (row: unknown) => MessageRecord = recordOf("messages", {
  cubeId: ["cube_id", text],
  messageId: ["message_id", text],
  sessionId: ["session_id", text],
  role: ["role", oneOf(MESSAGE_ROLES)],
  content: ["content", text],
  chatTime: ["chat_time", text],
  createdAt: ["created_at", text],
});

export const cubeFrom: (row: unknown) => CubeRecord = recordOf("cubes", {
  id: ["id", text],
  name: ["name", text],
  ownerId: ["owner_id", text],
  createdAt: ["created_at", text],
});

/** `access`: the user's access to a cube (`owner` computed by the query), null when none. */
export const accessRow = rowOf("cube_access", { access: nullable(oneOf(ACCESS)) });

const userCubeRow = rowOf("cubes", { access: oneOf(ACCESS), memories: number });

/** A cube a user may use: the cube's columns, the user's `access` and its active `memories`. */
export function userCubeFrom(row: unknown): UserCube {
  const { access, memories } = userCubeRow(row);
  return { cube: cubeFrom(row), access, memories };
}

/** One group of `countJobs`: user, cube, kind and status, with how many jobs are in it. */
export const jobCountFrom: (row: unknown) => JobCount = recordOf("jobs", {
  userId: ["user_id", text],
  cubeId: ["cube_id", text],
  kind: ["kind", text],
  status: ["status", oneOf(JOB_STATUSES)],
  count: ["count", number],
});

/** The columns of `Store.memoryTextsOf`: what a search sifts memories by before reading them whole. */
export const memoryTextFrom: (row: unknown) => MemoryText = recordOf("memories", {
  id: ["id", text],
  memoryType: ["memory_type", oneOf(MEMORY_TYPES)],
  status: ["status", oneOf(MEMORY_STATUSES)],
  text: ["text", text],
});

export const versionFrom: (row: unknown) => MemoryVersion = recordOf("memory_history", {
  memoryId: ["memory_id", text],
  text: ["text", text],
  memoryType: ["memory_type", oneOf(MEMORY_TYPES)],
  status: ["status", oneOf(MEMORY_STATUSES)],
  replacedBy: ["replaced_by", nullable(text)],
  changedAt: ["changed_at", text],
  reason: ["reason", text],
});

/**
 * A memory without its sources (which come from another table) and its info (stored once per cube
 * and distinct content, in memory_infos).
 */
export type MemoryFields = Omit<MemoryRecord, "sources" | "info">;

/** Decodes `memories` rows whose JSON columns come as the driver hands them over. */
export function memoryDecoder(json: JsonColumn): (row: unknown) => MemoryFields {
  return recordOf("memories", {
    id: ["id", text],
    cubeId: ["cube_id", text],
    userId: ["user_id", text],
    sessionId: ["session_id", text],
    text: ["text", text],
    memoryType: ["memory_type", oneOf(MEMORY_TYPES)],
    key: ["key", text],
    tags: ["tags", json(stringList)],
    status: ["status", oneOf(MEMORY_STATUSES)],
    confidence: ["confidence", number],
    source: ["source", oneOf(SOURCE_KINDS)],
    background: ["background", text],
    chatTime: ["chat_time", text],
    createdAt: ["created_at", text],
    updatedAt: ["updated_at", text],
  });
}

/** Decodes a memory's info (a `memory_infos.info` value, or a column selected as `info`). */
export function infoDecoder(json: JsonColumn): (row: unknown) => Record<string, unknown> {
  const infoRow = rowOf("memory_infos", { info: json(jsonObject) });
  return (row) => infoRow(row).info;
}

/** Decodes `jobs` rows whose JSON columns come as the driver hands them over. */
export function jobDecoder(json: JsonColumn): (row: unknown) => JobRecord {
  return recordOf("jobs", {
    id: ["id", number],
    taskId: ["task_id", text],
    kind: ["kind", text],
    cubeId: ["cube_id", text],
    userId: ["user_id", text],
    payload: ["payload", json(jsonObject)],
    status: ["status", oneOf(JOB_STATUSES)],
    attempts: ["attempts", number],
    runAfter: ["run_after", text],
    lastError: ["last_error", nullable(text)],
    result: ["result", nullable(json(jsonObject))],
    lockedBy: ["locked_by", nullable(text)],
    lockedUntil: ["locked_until", nullable(text)],
    createdAt: ["created_at", text],
    updatedAt: ["updated_at", text],
  });
}

const identityRow = rowOf("meta", { name: text, dimension: number });

/** The embedder recorded in `meta` (stored as JSON text). */
export function identityFrom(value: unknown): EmbedderIdentity {
  return identityRow(JSON.parse(text(value)));
}
