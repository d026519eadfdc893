/**
 * What the MCP tools need from memcube, whichever way it is reached: the domain functions in this
 * process (stdio on a local store, and `/mcp` on the API's port: src/mcp/domain-port.ts) or a
 * running server through memcube's client (stdio with `--url`: src/mcp/client-port.ts). Each port
 * acts for one user, fixed when it is made; the cube rules are the domain's, never the tools'.
 */

/** A memory as a tool shows it. */
export interface ToolMemory {
  id: string;
  cubeId: string;
  text: string;
  memoryType: string;
  /** Where it came from: conversation, file or system. */
  source: string;
  sessionId: string;
  tags: string[];
  /** When it was stored, and the conversation time it speaks of (ISO 8601). */
  createdAt: string;
  chatTime: string;
  /** 0..1, for search hits only. */
  relevance?: number;
}

export interface CubeMemories {
  cubeId: string;
  memories: ToolMemory[];
}

export interface SearchInput {
  query: string;
  cubeIds?: string[] | undefined;
  topK?: number | undefined;
  /** MemOS's filter object, as /product/search takes it. */
  filter?: Record<string, unknown> | undefined;
}

export interface AddInput {
  messages: { role: "user" | "assistant" | "system"; content: string }[];
  cubeId?: string | undefined;
  sessionId?: string | undefined;
  mode?: "fast" | "fine" | undefined;
}

export interface AddedMemory {
  id: string;
  cubeId: string;
  text: string;
  memoryType: string;
  /** The fine-mode extraction job, when one was queued. */
  taskId?: string;
}

export interface ChatInput {
  query: string;
  cubeIds?: string[] | undefined;
  sessionId?: string | undefined;
  model?: string | undefined;
}

export interface ChatAnswer {
  answer: string;
  references: ToolMemory[];
}

export interface ListInput {
  cubeId?: string | undefined;
  page: number;
  pageSize: number;
}

export interface MemoryPage {
  cubeId: string;
  total: number;
  memories: ToolMemory[];
}

export interface ListedCube {
  cubeId: string;
  name: string;
  ownerId: string;
  access: string;
  memoryCount: number;
  createdAt: string;
}

export interface FeedbackInput {
  /** The user's correction, in their words. */
  feedback: string;
  cubeId?: string | undefined;
  /** The memories the corrected answer used; the model reads these first. */
  retrievedMemoryIds?: string[] | undefined;
  /** The conversation the feedback is about, oldest first. */
  history?: { role: "user" | "assistant" | "system"; content: string }[] | undefined;
  /** Also answer the last question again, corrected (sync only). */
  correctedAnswer?: boolean | undefined;
  /** sync (the tool's default): returns once the memories have changed; async: once the work is queued. */
  asyncMode: "sync" | "async";
}

/** What feedback changed (MemOS's record, memcube's deletions beside it). */
export interface FeedbackOutcome {
  /** False for async feedback: queued, nothing is known yet. */
  applied: boolean;
  updated: { id: string; text: string; replacedId: string; replacedText: string }[];
  deleted: { id: string; text: string }[];
  added: { id: string; text: string }[];
  /** The corrected answer, when asked for. */
  answer: string;
  /** Cubes whose feedback has not finished yet (it goes on in the background) or failed. */
  unfinished: { cubeId: string; status: string; error?: string }[];
}

export interface DocumentInput {
  /** Base64 bytes (the port decodes them as the API does, with its size limit). */
  base64: string;
  filename?: string | undefined;
  fileId?: string | undefined;
  cubeId?: string | undefined;
  /** The tool argument that carried the content: the API's messages about the file name it. */
  field: string;
}

/** A document stored as chunks (each a LongTermMemory tagged `document`). */
export interface StoredDocument {
  cubeId: string;
  /** What the file is known by in its cube: the file_id, else its name, else its content hash. */
  fileId: string;
  filename: string;
  chunks: { id: string; text: string; page?: number; headingPath: string[] }[];
  /** The file holds no text (a scanned PDF): its one chunk says so. */
  noText: boolean;
}

export interface MemoryPort {
  /** The user every call acts for. */
  readonly userId: string;
  /** Only the read tools are offered (a read-only API key, or `memcube mcp --read-only`). */
  readonly readOnly: boolean;
  /** A chat model is configured: chat_with_memory is offered. */
  readonly chatAvailable: boolean;
  search(input: SearchInput, signal: AbortSignal): Promise<CubeMemories[]>;
  add(input: AddInput, signal: AbortSignal): Promise<AddedMemory[]>;
  chat(input: ChatInput, signal: AbortSignal): Promise<ChatAnswer>;
  /** Undefined when no memory has the id. */
  get(id: string, signal: AbortSignal): Promise<ToolMemory | undefined>;
  list(input: ListInput, signal: AbortSignal): Promise<MemoryPage>;
  /** How many were deleted; the cube is the one holding each memory when none is named. */
  delete(input: { memoryIds: string[]; cubeId?: string | undefined }, signal: AbortSignal): Promise<number>;
  listCubes(signal: AbortSignal): Promise<ListedCube[]>;
  /** Feedback on memories, applied by the server's extraction model (a ToolFailure without one). */
  feedback(input: FeedbackInput, signal: AbortSignal): Promise<FeedbackOutcome>;
  /** Stores a document in one cube (synchronously: its chunks are searchable on return). */
  addDocument(input: DocumentInput, signal: AbortSignal): Promise<StoredDocument>;
}

/**
 * A failure whose message is meant for the caller (the same text the HTTP API answers): a tool
 * reports it as it is. Anything else is a bug or an outage, reported without internals.
 */
export class ToolFailure extends Error {
  override name = "ToolFailure";
}
