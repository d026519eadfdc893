/**
 * MemOS's delete modes for `delete_memory`: exactly one of memory_ids, file_ids, or the filter mode
 * (a non-empty filter and/or session_id / conversation_id, or user_id alone: MemOS's quick delete).
 * A request with none, or more than one, is not an HTTP error in MemOS but a 200 whose data says
 * "failure" and whose message says why; memcube answers the same. The decided difference (issue 17):
 * user_id beside another selector names the acting user, it is not a second mode.
 */
import type { z } from "zod";
import type { DeleteSelector } from "../memory/forget.js";
import type { MemoryFilter } from "../store/types.js";
import { parseFilter } from "./filter.js";
import type { deleteRequest } from "./schemas/memory.js";

export const EXACTLY_ONE_MODE = "Exactly one delete mode must be provided: memory_ids, file_ids, or filter/user_id/session_id.";
export const EMPTY_FILTER = "filter cannot be empty. Provide a non-empty filter or user_id/session_id.";

export type DeleteMode = { selector: DeleteSelector } | { failure: string };

type DeleteBody = z.infer<typeof deleteRequest> & { user_id: string };

const isEmptyObject = (value: object | undefined) => value !== undefined && Object.keys(value).length === 0;

/** `userNamed`: the body named its user_id itself (not decided from the key or the cube). */
export function deleteMode(body: DeleteBody, userNamed: boolean): DeleteMode {
  const sessionId = body.session_id ?? body.conversation_id;
  const filterMode = body.filter !== undefined || sessionId !== undefined;
  const modes = [body.memory_ids !== undefined, body.file_ids !== undefined, filterMode].filter(Boolean).length;
  if (modes > 1) return { failure: EXACTLY_ONE_MODE };
  if (body.memory_ids !== undefined) return { selector: { memoryIds: body.memory_ids } };
  if (body.file_ids !== undefined) {
    const names = [...body.file_ids];
    const byFile: MemoryFilter = {
      or: [
        { field: "info.file_id", op: "in", value: names },
        { field: "info.filename", op: "in", value: names },
      ],
    };
    return names.length === 0 ? { selector: { memoryIds: [] } } : { selector: { filter: byFile } };
  }
  if (filterMode) {
    if (isEmptyObject(body.filter) && sessionId === undefined) return { failure: EMPTY_FILTER };
    const parts: MemoryFilter[] = [];
    if (body.filter !== undefined && !isEmptyObject(body.filter)) parts.push(parseFilter(body.filter));
    if (sessionId !== undefined) parts.push({ field: "session_id", op: "eq", value: sessionId });
    return { selector: { filter: parts.length === 1 ? (parts[0] as MemoryFilter) : { and: parts } } };
  }
  // user_id alone: MemOS's quick delete, of what that user wrote in the cubes.
  if (userNamed) return { selector: { filter: { field: "user_id", op: "eq", value: body.user_id } } };
  return { failure: EXACTLY_ONE_MODE };
}
