import { z } from "zod";
import { Id, JsonObject, Label } from "./common.js";
import { GetMemoryData, getMemoryRequest } from "./memory.js";

/** A delete record id: the client's name for one soft delete. Empty, as MemOS takes it, names none (nothing happens). */
const RecordId = z.literal("").or(Label);

const ActingUser = Id.optional().describe("The acting user (memcube's; MemOS has no user here); left out: the API key's user, else the cube's owner");

export const deleteByRecordIdRequest = z
  .object({
    user_id: ActingUser,
    mem_cube_id: Id,
    record_id: RecordId.describe("The client's id for this delete: recover_memory_by_record_id brings back what it set aside"),
    hard_delete: z
      .boolean()
      .default(false)
      .describe("false: every active memory of the cube is set aside under record_id; true: the memories set aside under record_id are erased now"),
  })
  .meta({ id: "DeleteMemoryByRecordIdRequest" });

export const recoverByRecordIdRequest = z
  .object({
    user_id: ActingUser,
    mem_cube_id: Id,
    delete_record_id: RecordId.describe("The record_id of the soft delete to undo"),
  })
  .meta({ id: "RecoverMemoryByRecordIdRequest" });

export const DeleteByRecordIdData = z.object({
  status: z.literal("success"),
  deleted: z.number().int().describe("Memories set aside (or, with hard_delete, erased)"),
});

export const RecoverByRecordIdData = z.object({
  status: z.literal("success"),
  recovered: z.number().int().describe("Memories brought back (0 for a record id unknown, already recovered or purged)"),
});

export const dashboardRequest = getMemoryRequest
  .extend({
    mem_cube_id: Id.optional().describe("Default: the acting user's own cube (id = user id)"),
    filter: JsonObject.optional().describe("Conditions as in search's filter"),
  })
  .meta({ id: "GetMemoryDashboardRequest" });

export const DashboardData = GetMemoryData.extend({
  statistics: z.object({
    total_text_nodes: z.number().int(),
    total_tool_nodes: z.number().int(),
    total_skill_nodes: z.number().int(),
    total_preference_nodes: z.number().int(),
  }),
}).describe("Each bucket's total_nodes is its own length (MemOS's dashboard); statistics hold the totals of every match");
