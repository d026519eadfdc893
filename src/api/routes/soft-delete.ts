import type { Limits } from "../../config/index.js";
import { listMemories } from "../../memory/browse.js";
import type { MemoryContext } from "../../memory/context.js";
import { deleteByRecordId, recoverByRecordId } from "../../memory/soft-delete.js";
import type { MemoryType } from "../../store/types.js";
import type { App } from "../app-env.js";
import { parseFilter } from "../filter.js";
import { postJson } from "../route.js";
import {
  DashboardData,
  DeleteByRecordIdData,
  RecoverByRecordIdData,
  dashboardRequest,
  deleteByRecordIdRequest,
  recoverByRecordIdRequest,
} from "../schemas/soft-delete.js";
import { TEXT_MEMORY_TYPES, emptyBuckets, nodeBucket, pageOf } from "./memory.js";

/** MemOS's soft delete by record id, its undo, and the dashboard overview of a cube. */
export function softDeleteRoutes(app: App, context: MemoryContext, limits: Limits, retentionMs: number): void {
  postJson(
    app,
    limits,
    {
      path: "/product/delete_memory_by_record_id",
      actor: "user_id",
      actorCube: (body) => body.mem_cube_id,
      tag: "memory",
      summary: "Soft-delete every memory of a cube under a record id (recoverable until purged), or erase what that record id set aside",
      body: deleteByRecordIdRequest,
      data: DeleteByRecordIdData,
      message: "Called Successfully",
    },
    async (body) => {
      // MemOS does nothing for an empty record id, and still answers success.
      if (body.record_id === "") return { status: "success" as const, deleted: 0 };
      const deleted = await deleteByRecordId(context, { userId: body.user_id, cubeId: body.mem_cube_id, recordId: body.record_id, hard: body.hard_delete });
      return { status: "success" as const, deleted };
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/recover_memory_by_record_id",
      actor: "user_id",
      actorCube: (body) => body.mem_cube_id,
      tag: "memory",
      summary: "Bring back the memories a soft delete set aside, within MEMCUBE_SOFT_DELETE_RETENTION",
      body: recoverByRecordIdRequest,
      data: RecoverByRecordIdData,
      message: "Called Successfully",
    },
    async (body) => {
      if (body.delete_record_id === "") return { status: "success" as const, recovered: 0 };
      const recovered = await recoverByRecordId(context, { userId: body.user_id, cubeId: body.mem_cube_id, recordId: body.delete_record_id, retentionMs });
      return { status: "success" as const, recovered };
    },
  );

  postJson(
    app,
    limits,
    {
      path: "/product/get_memory_dashboard",
      actor: "user_id",
      actorCube: (body) => body.mem_cube_id,
      readOnly: true,
      tag: "memory",
      summary: "An overview of a cube: its memories of each kind and their totals",
      body: dashboardRequest,
      data: DashboardData,
      message: "Memories retrieved successfully",
    },
    async (body) => {
      const cubeId = body.mem_cube_id ?? body.user_id;
      const filter = body.filter === undefined ? undefined : parseFilter(body.filter);
      const listing = async (memoryTypes: readonly MemoryType[]) => {
        const [read] = await listMemories(context, {
          userId: body.user_id,
          cubeIds: [cubeId],
          memoryTypes,
          page: pageOf(body.page, body.page_size),
          ...(filter && { filter }),
        });
        const bucket = read ? nodeBucket(read) : { cube_id: cubeId, memories: [], total_nodes: 0 };
        // MemOS's dashboard counts a bucket by its own length; the total of every match goes to statistics.
        return { bucket: { ...bucket, total_nodes: bucket.memories.length }, total: read?.total ?? 0 };
      };
      const text = await listing(TEXT_MEMORY_TYPES);
      const preference = body.include_preference ? await listing(["PreferenceMemory"]) : undefined;
      return {
        text_mem: [text.bucket],
        pref_mem: preference ? [preference.bucket] : [],
        tool_mem: body.include_tool_memory ? emptyBuckets([cubeId]) : [],
        skill_mem: body.include_skill_memory ? emptyBuckets([cubeId]) : [],
        statistics: { total_text_nodes: text.total, total_tool_nodes: 0, total_skill_nodes: 0, total_preference_nodes: preference?.total ?? 0 },
      };
    },
  );
}
