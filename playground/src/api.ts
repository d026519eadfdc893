/** The page's client for memcube: the envelope, the API key, and the chat event stream. */
import { serverSentEvents } from "../../src/client/sse.js";
import type { AddedMemory, ChatFrame, CubeListing, GetAllData, MemoryDetail, MemoryKinds, ModelsData, SearchData, ShareAccess } from "./wire";

const KEY_STORAGE = "memcube.playground.apiKey";

/** The key lives in sessionStorage: gone when the tab closes, never written to disk by the page. */
export const apiKey = {
  get: (): string => sessionStorage.getItem(KEY_STORAGE) ?? "",
  set: (key: string) => (key ? sessionStorage.setItem(KEY_STORAGE, key) : sessionStorage.removeItem(KEY_STORAGE)),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called on every 401, so that the page can ask for a key wherever the request came from. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function headers(): Record<string, string> {
  const key = apiKey.get();
  return { "content-type": "application/json", ...(key && { authorization: `Bearer ${key}` }) };
}

async function failure(response: Response): Promise<ApiError> {
  if (response.status === 401) unauthorizedListeners.forEach((listener) => listener());
  let message = `HTTP ${response.status}`;
  try {
    const body: unknown = await response.json();
    if (body && typeof body === "object" && "message" in body && typeof body.message === "string") message = body.message;
  } catch {
    // not JSON: keep the status
  }
  return new ApiError(response.status, message);
}

async function call<T>(method: "GET" | "POST", path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: headers(),
    ...(body !== undefined && { body: JSON.stringify(body) }),
    ...(signal && { signal }),
  });
  if (!response.ok) throw await failure(response);
  const envelope = (await response.json()) as { data: T };
  return envelope.data;
}

function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

export const api = {
  models: () => call<ModelsData>("GET", "/product/models"),
  cubeExists: async (userId: string, cubeId: string) =>
    (await call<Record<string, boolean>>("POST", "/product/exist_mem_cube_id", { user_id: userId, mem_cube_id: cubeId }))[cubeId] === true,
  createCube: (ownerId: string, cubeId: string) => call<unknown>("POST", "/product/create_cube", { owner_id: ownerId, cube_id: cubeId, cube_name: cubeId }),
  /** `fileId`: only the chunks of that document. */
  listMemories: (userId: string, cubeId: string, page: number, pageSize: number, fileId?: string) =>
    call<MemoryKinds>("POST", "/product/get_memory", {
      user_id: userId,
      mem_cube_id: cubeId,
      page,
      page_size: pageSize,
      include_tool_memory: false,
      include_skill_memory: false,
      ...(fileId !== undefined && { filter: { file_ids: fileId }, include_preference: false }),
    }),
  /** A dropped file, read by the server into chunks (stored before this resolves). */
  addDocument: async (userId: string, cubeId: string, file: File) =>
    call<{ memory_id: string }[]>("POST", "/product/add", {
      user_id: userId,
      writable_cube_ids: [cubeId],
      async_mode: "sync",
      messages: [{ role: "user", content: [{ type: "file", file: { filename: file.name, file_data: base64Of(new Uint8Array(await file.arrayBuffer())) } }] }],
    }),
  deleteFile: (userId: string, cubeId: string, fileId: string) =>
    call<{ deleted: number }>("POST", "/product/delete_memory", { user_id: userId, writable_cube_ids: [cubeId], file_ids: [fileId] }),
  search: (userId: string, cubeIds: string[], query: string, topK: number) =>
    call<SearchData>("POST", "/product/search", { user_id: userId, readable_cube_ids: cubeIds, query, top_k: topK }),
  memory: (userId: string, memoryId: string) =>
    call<MemoryDetail | null>("GET", `/product/get_memory/${encodeURIComponent(memoryId)}?user_id=${encodeURIComponent(userId)}`),
  deleteMemory: (userId: string, cubeId: string, memoryId: string) =>
    call<{ deleted: number }>("POST", "/product/delete_memory", { user_id: userId, writable_cube_ids: [cubeId], memory_ids: [memoryId] }),
  shareCube: (userId: string, cubeId: string, targetUserId: string, access: ShareAccess) =>
    call<unknown>("POST", "/product/share_cube", { user_id: userId, cube_id: cubeId, target_user_id: targetUserId, access }),
  listCubes: (userId: string) => call<CubeListing[]>("POST", "/product/list_cubes", { user_id: userId }),
  /** The cubes of the key's user, when the server takes the key for `user_id` (undefined where it does not). */
  /** Who the key stands for (GET /product/whoami): its user, or none (open mode, an admin key). */
  whoami: () => call<{ mode: string; user_id: string | null; read_only: boolean; admin: boolean }>("GET", "/product/whoami"),
  allMemories: (userId: string, cubeId: string, kind: "text_mem" | "pref_mem", page: number, pageSize: number) =>
    call<GetAllData>("POST", "/product/get_all", { user_id: userId, mem_cube_id: cubeId, memory_type: kind, page, page_size: pageSize }),
  /** Stored as said (mode fast): one memory per message, no model needed. */
  addMemories: (userId: string, cubeId: string, sessionId: string, messages: { role: "user"; content: string; chat_time?: string }[], tags?: string[]) =>
    call<AddedMemory[]>("POST", "/product/add", {
      user_id: userId,
      writable_cube_ids: [cubeId],
      session_id: sessionId,
      messages,
      mode: "fast",
      ...(tags?.length && { custom_tags: tags }),
    }),
};

export interface ChatStreamRequest {
  user_id: string;
  query: string;
  readable_cube_ids: string[];
  writable_cube_ids: string[];
  session_id: string;
  history: { role: "user" | "assistant"; content: string }[];
  model_name_or_path?: string;
  top_k?: number;
  threshold?: number;
  system_prompt?: string;
}

/**
 * POSTs to /product/chat/stream and hands each frame to `onFrame` as it arrives. Errors before the
 * stream are JSON (thrown as ApiError); an `error` frame is handed on like any other.
 */
export async function streamChat(request: ChatStreamRequest, onFrame: (frame: ChatFrame) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch("/product/chat/stream", { method: "POST", headers: headers(), body: JSON.stringify(request), signal });
  if (!response.ok || !response.body) throw await failure(response);
  for await (const { data } of serverSentEvents(response.body)) {
    if (data) onFrame(JSON.parse(data) as ChatFrame);
  }
}
