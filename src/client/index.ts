/**
 * A typed client for a memcube server: the package memcube-client (packages/client, built from
 * here by scripts/build-client.ts), and `memcube/client` inside this repository.
 *
 * Request and response types come from the server's own Zod schemas (./types.ts: types only, no
 * server code is loaded at run time), so the client cannot drift from what the server validates.
 * Works anywhere `fetch` and web streams do (Node 20+, Deno, Bun, browsers).
 *
 *   const memcube = new MemcubeClient({ baseUrl: "http://127.0.0.1:8001", userId: "alice" });
 *   await memcube.add({ messages: "I live in Bolzano" });
 *   for await (const frame of memcube.chatStream({ query: "Where do I live?" })) …
 */
import type {
  Access,
  AddInput,
  AddedMemory,
  ChatFrame,
  ChatInput,
  ChatResult,
  CreateCubeInput,
  CubeGraph,
  CubeInfo,
  Dashboard,
  DashboardInput,
  DeleteCubeInput,
  DeleteMemoryInput,
  DeleteResult,
  ErrorBody,
  ExistCubeInput,
  FeedbackInput,
  FeedbackResult,
  GetAllInput,
  GetMemoryInput,
  Identity,
  ListedCube,
  MemoryKinds,
  MemoryWithHistory,
  ModelList,
  RecoverInput,
  RecoverResult,
  SearchInput,
  SearchResult,
  ShareCubeInput,
  SoftDeleteInput,
  SoftDeleteResult,
} from "./types.js";
import { serverSentEvents } from "./sse.js";

export type * from "./types.js";

/** A request the server refused or could not carry out; `envelope` is its error body when it sent one. */
export class MemcubeError extends Error {
  /** HTTP status (for an `error` frame in a stream: the stream's status, 200). */
  readonly status: number;
  readonly envelope: ErrorBody | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, details: { status: number; envelope?: ErrorBody | undefined; requestId?: string | undefined }) {
    super(message);
    this.name = "MemcubeError";
    this.status = details.status;
    this.envelope = details.envelope;
    this.requestId = details.requestId;
  }
}

export interface MemcubeClientOptions {
  /** The server, e.g. `http://127.0.0.1:8001`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` (servers with MEMCUBE_API_KEYS). */
  apiKey?: string | undefined;
  /** The acting user when a call leaves `user_id` out; with an `apiKey` it may be left out too (the key's user acts). */
  userId?: string | undefined;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
}

const isEnvelope = (value: unknown): value is ErrorBody =>
  typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string" && "code" in value;

/** A document for `addDocument`: its bytes, its name, and the add's other fields. */
export type DocumentInput = Omit<AddInput, "messages" | "memory_content" | "doc_path"> & {
  content: Uint8Array;
  filename: string;
  file_id?: string;
};

/** Base64 without Node's Buffer, so the client runs in browsers too. */
function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

export class MemcubeClient {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: MemcubeClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Adds messages (a string is one user message) to the writable cubes. */
  async add(input: AddInput, call?: CallOptions): Promise<AddedMemory[]> {
    return this.post("/product/add", this.maybeWithUser(input), call);
  }

  /**
   * Adds a document (PDF, DOCX, HTML, Markdown, JSON, CSV or text: the server tells them by their
   * content) as chunks of document knowledge. `file_id` identifies it in the cube (default: its
   * name): the same content again changes nothing, new content replaces its chunks.
   */
  async addDocument(input: DocumentInput, call?: CallOptions): Promise<AddedMemory[]> {
    const { content, filename, file_id, ...rest } = input;
    const file = { filename, file_data: base64Of(content), ...(file_id !== undefined && { file_id }) };
    return this.post("/product/add", this.maybeWithUser({ ...rest, messages: [{ role: "user" as const, content: [{ type: "file" as const, file }] }] }), call);
  }

  /** Deletes every chunk of these files (by file_id, or file name) from the cubes. */
  async deleteDocuments(input: { file_ids: string[]; writable_cube_ids?: string[]; user_id?: string }, call?: CallOptions): Promise<DeleteResult> {
    return this.memories.delete(input, call);
  }

  async search(input: SearchInput, call?: CallOptions): Promise<SearchResult> {
    return this.post("/product/search", this.withUser(input), call);
  }

  /** The whole answer, with the memories the model was shown. */
  async chat(input: ChatInput, call?: CallOptions): Promise<ChatResult> {
    return this.post("/product/chat/complete", this.withUser(input), call);
  }

  /**
   * The answer as server-sent frames (status, reference, reasoning, text, time, end), typed by
   * `type`. An `error` frame is thrown as a `MemcubeError`; breaking out of the loop cancels the chat.
   */
  async *chatStream(input: ChatInput, call: CallOptions = {}): AsyncGenerator<ChatFrame> {
    const controller = new AbortController();
    const outer = call.signal;
    const abort = () => controller.abort(outer?.reason);
    if (outer?.aborted) abort();
    outer?.addEventListener("abort", abort, { once: true });
    try {
      const response = await this.request("POST", "/product/chat/stream", this.withUser(input), controller.signal);
      if (!response.body) throw new MemcubeError("the server sent no stream", { status: response.status });
      const requestId = response.headers.get("x-request-id") ?? undefined;
      for await (const { data } of serverSentEvents(response.body)) {
        if (data === "") continue;
        const frame = JSON.parse(data) as ChatFrame;
        if (frame.type === "error") throw new MemcubeError(frame.data, { status: response.status, requestId });
        yield frame;
        if (frame.type === "end") return;
      }
    } finally {
      outer?.removeEventListener("abort", abort);
      controller.abort(); // closes the connection if the caller left early
    }
  }

  /** Whom the API key acts for: its user (the default user_id of every call), whether it is read-only or an admin key. */
  async whoami(call?: CallOptions): Promise<Identity> {
    return this.send("GET", "/product/whoami", undefined, call);
  }

  /** The chat model names the server accepts. */
  async models(call?: CallOptions): Promise<ModelList> {
    return this.send("GET", "/product/models", undefined, call);
  }

  readonly cubes = {
    create: async (input: CreateCubeInput, call?: CallOptions): Promise<CubeInfo> => {
      const owner = this.user(input.owner_id);
      return this.post("/product/create_cube", owner === undefined ? input : { ...input, owner_id: owner }, call);
    },
    exists: async (input: ExistCubeInput, call?: CallOptions): Promise<boolean> => {
      const data = await this.post<Record<string, boolean>>("/product/exist_mem_cube_id", this.maybeWithUser(input), call);
      // The server answers under the id as it stores it (NFC).
      return data[input.mem_cube_id.normalize("NFC")] === true;
    },
    share: async (input: ShareCubeInput, call?: CallOptions): Promise<{ cube_id: string; target_user_id: string; access: Access }> =>
      this.post("/product/share_cube", this.withUser(input), call),
    delete: async (input: DeleteCubeInput, call?: CallOptions): Promise<{ cube_id: string; deleted: true }> =>
      this.post("/product/delete_cube", this.withUser(input), call),
    /** The cubes the user owns or was given access to, with their access and memory counts. */
    list: async (input: { user_id?: string } = {}, call?: CallOptions): Promise<ListedCube[]> => this.post("/product/list_cubes", this.withUser(input), call),
  };

  readonly memories = {
    /** The memories of the readable cubes (every one without `page`), one graph per cube as MemOS answers it. */
    getAll: async (input: GetAllInput = {}, call?: CallOptions): Promise<CubeGraph[]> => this.post("/product/get_all", this.withUser(input), call),
    /** One cube's memories by kind, newest first, a page at a time. */
    list: async (input: GetMemoryInput, call?: CallOptions): Promise<MemoryKinds> => this.post("/product/get_memory", this.maybeWithUser(input), call),
    /** One memory with its sources and earlier versions; null when no memory has the id. */
    get: async (id: string, input: { user_id?: string } = {}, call?: CallOptions): Promise<MemoryWithHistory | null> => {
      const user = input.user_id ?? this.options.userId;
      const query = user === undefined ? "" : `?user_id=${encodeURIComponent(user)}`;
      return this.send("GET", `/product/get_memory/${encodeURIComponent(id)}${query}`, undefined, call);
    },
    /** Feedback on the last answer: the server's extraction model updates, deletes or adds the memories concerned. */
    feedback: async (input: FeedbackInput, call?: CallOptions): Promise<FeedbackResult> => this.post("/product/feedback", this.withUser(input), call),
    /** Throws when the server names no single delete mode in the request (MemOS answers that with 200 "failure"). */
    delete: async (input: DeleteMemoryInput, call?: CallOptions): Promise<DeleteResult> => {
      const result = await this.post<DeleteResult>("/product/delete_memory", this.maybeWithUser(input), call);
      if (result.status === "failure") throw new MemcubeError(result.reason ?? "delete_memory failed", { status: 200 });
      return result;
    },
    /** Sets every active memory of the cube aside under `record_id` (recoverable until purged); `hard_delete: true` erases what it set aside. */
    softDelete: async (input: SoftDeleteInput, call?: CallOptions): Promise<SoftDeleteResult> =>
      this.post("/product/delete_memory_by_record_id", this.maybeWithUser(input), call),
    /** Brings back what a soft delete set aside under `delete_record_id` (`recovered: 0` once purged). */
    recover: async (input: RecoverInput, call?: CallOptions): Promise<RecoverResult> =>
      this.post("/product/recover_memory_by_record_id", this.maybeWithUser(input), call),
    /** An overview of a cube: its memories by kind and their totals. */
    dashboard: async (input: DashboardInput = {}, call?: CallOptions): Promise<Dashboard> =>
      this.post("/product/get_memory_dashboard", this.maybeWithUser(input), call),
  };

  /** The acting user; undefined when the API key decides it (the server acts for the key's user). */
  private user(given: string | undefined): string | undefined {
    const user = given ?? this.options.userId;
    if (user === undefined && !this.options.apiKey)
      throw new MemcubeError("no user: pass user_id or create the client with { userId } or { apiKey }", { status: 0 });
    return user;
  }

  private withUser<T extends { user_id?: string }>(input: T): T {
    const user = this.user(input.user_id);
    return user === undefined ? input : { ...input, user_id: user };
  }

  /** Where MemOS lets user_id out, the server decides it (the key's user, or the cube's owner) when no user is known here. */
  private maybeWithUser<T extends { user_id?: string }>(input: T): T {
    const user = input.user_id ?? this.options.userId;
    return user === undefined ? input : { ...input, user_id: user };
  }

  private post<T>(path: string, body: unknown, call?: CallOptions): Promise<T> {
    return this.send("POST", path, body, call);
  }

  private async send<T>(method: "GET" | "POST", path: string, body: unknown, call: CallOptions = {}): Promise<T> {
    const response = await this.request(method, path, body, call.signal);
    const json = (await response.json()) as { data: T };
    return json.data;
  }

  /** Sends the request; a non-2xx answer becomes a `MemcubeError` with its envelope. */
  private async request(method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal | undefined): Promise<Response> {
    const headers: Record<string, string> = { ...this.options.headers };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const response = await this.fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(signal && { signal }),
    });
    if (response.ok) return response;
    const requestId = response.headers.get("x-request-id") ?? undefined;
    const text = await response.text();
    let envelope: ErrorBody | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (isEnvelope(parsed)) envelope = parsed;
    } catch {
      // not JSON (a proxy's error page): the status says enough
    }
    throw new MemcubeError(envelope?.message ?? `HTTP ${response.status}: ${text.slice(0, 200)}`, { status: response.status, envelope, requestId });
  }
}
