/**
 * The wire types of the client, each derived from the server's own Zod schema (types only). The
 * package memcube-client (packages/client) ships these expanded into plain declarations
 * (scripts/build-client.ts), so that it needs neither zod nor the server; a test rebuilds it and
 * compares, so the two cannot drift.
 */
import type { z } from "zod";
import type { ChatCompleteData, ChatFrame, ModelsData, chatRequest } from "../api/schemas/chat.js";
import type { CubeBucket } from "../api/schemas/common.js";
import type { Cube, ListedCube, createCubeRequest, deleteCubeRequest, existCubeRequest, shareCubeRequest } from "../api/schemas/cubes.js";
import type { ErrorBody } from "../api/schemas/envelope.js";
import type { FeedbackData, feedbackRequest } from "../api/schemas/feedback.js";
import type { Whoami } from "../api/schemas/identity.js";
import type {
  AddedMemory,
  DeleteData,
  GetAllData,
  GetMemoryData,
  MemoryWithHistory,
  SearchData,
  addRequest,
  deleteRequest,
  getAllRequest,
  getMemoryRequest,
  searchRequest,
} from "../api/schemas/memory.js";
import type {
  DashboardData,
  DeleteByRecordIdData,
  RecoverByRecordIdData,
  dashboardRequest,
  deleteByRecordIdRequest,
  recoverByRecordIdRequest,
} from "../api/schemas/soft-delete.js";

export type { ChatFrame, ErrorBody };
export type { GraphNode, MemoryItem } from "../api/schemas/common.js";

/** A request body as the server accepts it; `user_id` may be left to the client's `userId`. */
type WithUser<T, K extends string = "user_id"> = Omit<T, K> & { [P in K]?: string };

export type AddInput = WithUser<z.input<ReturnType<typeof addRequest>>>;
export type SearchInput = WithUser<z.input<ReturnType<typeof searchRequest>>>;
export type ChatInput = WithUser<z.input<ReturnType<typeof chatRequest>>>;
export type CreateCubeInput = WithUser<z.input<typeof createCubeRequest>, "owner_id">;
export type ExistCubeInput = WithUser<z.input<typeof existCubeRequest>>;
export type ShareCubeInput = WithUser<z.input<typeof shareCubeRequest>>;
export type DeleteCubeInput = WithUser<z.input<typeof deleteCubeRequest>>;
export type GetAllInput = WithUser<z.input<typeof getAllRequest>>;
export type GetMemoryInput = WithUser<z.input<typeof getMemoryRequest>>;
export type DeleteMemoryInput = WithUser<z.input<typeof deleteRequest>>;
export type SoftDeleteInput = WithUser<z.input<typeof deleteByRecordIdRequest>>;
export type RecoverInput = WithUser<z.input<typeof recoverByRecordIdRequest>>;
export type DashboardInput = WithUser<z.input<typeof dashboardRequest>>;
/** get_memory_dashboard: the kinds as get_memory has them, plus `statistics` (the totals). */
export type Dashboard = z.infer<typeof DashboardData>;
export type SoftDeleteResult = z.infer<typeof DeleteByRecordIdData>;
export type RecoverResult = z.infer<typeof RecoverByRecordIdData>;
export type FeedbackInput = WithUser<z.input<ReturnType<typeof feedbackRequest>>>;
/** async: `[[]]` (the work is a task); sync: one `{answer, record, tasks}`. */
export type FeedbackResult = z.infer<typeof FeedbackData>;

export type AddedMemory = z.infer<typeof AddedMemory>;
export type SearchResult = z.infer<typeof SearchData>;
export type ChatResult = z.infer<typeof ChatCompleteData>;
/** A cube's search hits. */
export type CubeMemories = z.infer<typeof CubeBucket>;
/** get_all for one cube: `memories[0]` holds its `nodes` and `tree_structure`; `memory_statistics` counts per memory_type. */
export type CubeGraph = z.infer<typeof GetAllData>[number];
/** get_memory: a cube's memories by kind (`text_mem`, `pref_mem`, `tool_mem`, `skill_mem`), each a list of buckets. */
export type MemoryKinds = z.infer<typeof GetMemoryData>;
export type CubeInfo = z.infer<typeof Cube>;
export type ListedCube = z.infer<typeof ListedCube>;
export type MemoryWithHistory = z.infer<typeof MemoryWithHistory>;
export type DeleteResult = z.infer<typeof DeleteData>;
export type ModelList = z.infer<typeof ModelsData>;
/** Whom the client's API key acts for (GET /product/whoami). */
export type Identity = z.infer<typeof Whoami>;
export type Access = z.infer<typeof shareCubeRequest>["access"];
