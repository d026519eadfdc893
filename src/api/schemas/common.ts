import { z } from "zod";
import { MEMORY_STATUSES, MEMORY_TYPES } from "../../store/types.js";

/**
 * The characters of an id: Unicode letters (with the combining marks some scripts write letters
 * with, e.g. Devanagari vowel signs), digits, and `_ - . : @`. Never `/`, `\\`, NUL, controls or
 * spaces: ids name cubes in paths, logs and headers.
 */
const ID_CHARACTERS = /^[\p{L}\p{M}\p{N}_\-.:@]+$/u;
const ID_MAX = 128;
export const ID_PROBLEM = "must be 1-128 Unicode letters, digits or _ - . : @";

/** An id as stored and compared: NFC, so the same name typed two ways is one id. */
export const normalizeId = (id: string): string => id.normalize("NFC");

/** Whether a normalized id keeps the rule (length counted in characters, not UTF-16 units). */
export const isValidId = (id: string): boolean => ID_CHARACTERS.test(id) && [...id].length <= ID_MAX;

/** User and cube ids: UUIDs, emails, `locomo_conv-26`, `用户_001`; normalized to NFC. */
export const Id = z
  .string()
  .transform(normalizeId)
  .refine(isValidId, ID_PROBLEM)
  .meta({ type: "string", pattern: "^[\\p{L}\\p{M}\\p{N}_\\-.:@]{1,128}$", description: "1-128 Unicode letters, digits or _ - . : @ (NFC)" });
/**
 * The user a request acts for. Left out, the request's API key decides it: a user's key acts for
 * its user (src/api/acting-user.ts); in open mode and with an admin key it must be given.
 */
export const actingUserId = (what = "The acting user") =>
  Id.optional().describe(`${what}; default: the API key's user (required in open mode and with an admin key)`);
export const IdList = z.array(Id).min(1, "must name at least one cube").max(100);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text that can be stored as written: a lone UTF-16 surrogate is not a character. */
export const wellFormed = (text: string) => !LONE_SURROGATE.test(text);
export const NOT_WELL_FORMED = "contains an unpaired surrogate (invalid Unicode)";
export const notBlank = (text: string) => text.trim() !== "";
/** NUL ends strings in C libraries, logs and terminals: text that holds one is refused, not truncated somewhere. */
export const noNul = (text: string) => !text.includes("\u0000");
export const HAS_NUL = "must not contain NUL (\\u0000) characters";

/** Free text of at most `max` characters that says something (not empty, not only spaces). */
export const nonBlankText = (max: number) =>
  z
    .string()
    .max(max, `longer than ${max} characters`)
    .refine(notBlank, "must not be empty or blank")
    .refine(wellFormed, NOT_WELL_FORMED)
    .refine(noNul, HAS_NUL);

/** Optional free text, bounded and well formed. */
export const text = (max: number) => z.string().max(max, `longer than ${max} characters`).refine(wellFormed, NOT_WELL_FORMED).refine(noNul, HAS_NUL);

/** Free text ids from clients (sessions, messages): anything printable, bounded. */
export const Label = z
  .string()
  .min(1)
  .max(256)
  // eslint-disable-next-line no-control-regex -- refusing control characters is this pattern's purpose
  .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters")
  .refine(wellFormed, NOT_WELL_FORMED);

/** Why a piece of text cannot be stored as written, or undefined when it can: the rule of every text field. */
export function textProblem(text: string): string | undefined {
  if (!noNul(text)) return HAS_NUL;
  if (!wellFormed(text)) return NOT_WELL_FORMED;
  return undefined;
}

/**
 * The first string inside a JSON value, as a key or a value, that breaks the text rule, and where it
 * is: free-form JSON (info, filters) is stored and compared as text too. Iterative: depth is bounded
 * before validation, but a wide body must not cost a deep stack either.
 */
function firstBadText(root: unknown): { path: (string | number)[]; problem: string } | undefined {
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (pending.length > 0) {
    const { value, path } = pending.pop() as { value: unknown; path: (string | number)[] };
    if (typeof value === "string") {
      const problem = textProblem(value);
      if (problem) return { path, problem };
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, path: [...path, index] }));
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        const problem = textProblem(key);
        // The path stops at the object: the bad key itself is not repeated into messages and logs.
        if (problem) return { path, problem: `a key ${problem}` };
        pending.push({ value: item, path: [...path, key] });
      }
    }
  }
  return undefined;
}

const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A JSON object taken as the client sent it. Not `z.record`: that copies the object key by key and
 * leaves out a key named `__proto__`, which JSON.parse makes an own property, i.e. data (MemOS keeps
 * it). Passed on uncopied it stays data: copies made with spread or JSON keep it as an own key and
 * never touch a prototype.
 */
export const JsonObject = z
  .custom<Record<string, unknown>>(isJsonObject, { error: "expected a JSON object" })
  .superRefine((value, context) => {
    const bad = firstBadText(value);
    if (bad) context.addIssue({ code: "custom", path: bad.path, message: bad.problem });
  })
  .meta({ type: "object", additionalProperties: true });

export const MemoryId = z.uuid("must be a memory id (UUID)");

export const MemoryTypeName = z.enum(MEMORY_TYPES);

/** One message a memory was made from, as MemOS's `sources` entries show it (null where memcube has no value). */
const ChatSource = z.object({
  type: z.literal("chat"),
  role: z.enum(["user", "assistant", "system", "tool"]),
  chat_time: z.string(),
  message_id: z.string(),
  content: z.string(),
  doc_path: z.null(),
  file_info: z.null(),
  image_info: z.null(),
});

/** Where a document chunk came from: MemOS's file source (doc_path, file_info, chunk_index, chunk_total) with memcube's page, heading path and span. */
const FileSource = z.object({
  type: z.literal("file"),
  role: z.null(),
  chat_time: z.string(),
  message_id: z.string(),
  content: z.string().describe("The chunk's text"),
  doc_path: z.string().describe("The file's name"),
  file_info: z.object({
    file_id: z.string().describe("The client's file_id, else the file name: what delete_memory's file_ids and the file_ids filter select"),
    filename: z.string(),
    format: z.string().describe("text, markdown, html, pdf, docx, json or csv (detected from the content)"),
    sha256: z.string(),
    page: z.number().int().nullable().describe("1-based page of a PDF (a chunk never spans two); null for formats without pages"),
    heading_path: z.array(z.string()).describe("The headings above the chunk, outermost first"),
    char_start: z.number().int().describe("Span of the chunk in the document's extracted text"),
    char_end: z.number().int(),
    no_text: z.boolean().describe("true: the file has no extractable text (a scanned PDF), and this memory is a note saying so"),
  }),
  image_info: z.null(),
  chunk_index: z.number().int().describe("0-based"),
  chunk_total: z.number().int(),
});

export const MessageSource = z.union([ChatSource, FileSource]);

/** One earlier version of a memory in MemOS's `metadata.history` form. */
export const ArchivedVersion = z.object({
  version: z.number().int(),
  is_fast: z.boolean(),
  memory: z.string(),
  update_type: z
    .enum(["conflict", "extract", "feedback"])
    .describe("conflict: replaced by a newer fact; extract: refined by extraction; feedback: corrected by the user's feedback"),
  archived_memory_id: z.null().describe("memcube keeps an earlier version's text, not a node of its own"),
  created_at: z.string(),
  timespec: z.null(),
  memory_form: z.null(),
});

/** MemOS's tree-memory metadata: every key always sent, null or MemOS's default where memcube has no value. */
const treeMetadata = {
  memory_type: MemoryTypeName,
  key: z.string(),
  tags: z.array(z.string()),
  user_id: z.string(),
  cube_id: z.string(),
  session_id: z.string(),
  status: z.enum(MEMORY_STATUSES),
  is_fast: z.null(),
  evolve_to: z.array(z.string()),
  version: z.number().int().describe("1 + the number of earlier versions"),
  history: z.array(ArchivedVersion),
  working_binding: z.null(),
  type: z.null(),
  confidence: z.number(),
  source: z.enum(["conversation", "file", "system"]),
  visibility: z.null(),
  created_at: z.string(),
  updated_at: z.string(),
  chat_time: z.string(),
  sources: z.array(MessageSource),
  usage: z.array(z.string()),
  background: z.string(),
  file_ids: z.array(z.string()),
  info: z.record(z.string(), z.unknown()),
  internal_info: z.null(),
  covered_history: z.null(),
};

/** A search or chat hit, as MemOS sends them: embedding and usage emptied, id, memory and ref_id repeated in the metadata. */
export const MemoryItem = z
  .object({
    id: z.string(),
    memory: z.string(),
    ref_id: z.string().describe("The id's first group in brackets, e.g. [caa48141], for citing in prompts"),
    metadata: z.object({
      ...treeMetadata,
      embedding: z.array(z.number()).length(0),
      relativity: z.number().min(0).max(1).nullable().describe("Relevance to the query, 0..1"),
      id: z.string(),
      memory: z.string(),
      ref_id: z.string(),
      preference_type: z.literal("explicit_preference").optional().describe("Preferences only"),
      preference: z.string().optional().describe("Preferences only: what is preferred"),
    }),
  })
  .meta({ id: "MemoryItem" });
export type MemoryItem = z.infer<typeof MemoryItem>;

/** A node of get_all / get_memory: the stored attributes without the embedding. */
export const GraphNode = z.object({ id: z.string(), memory: z.string(), metadata: z.object(treeMetadata) }).meta({ id: "GraphNode" });
export type GraphNode = z.infer<typeof GraphNode>;

/** get_memory/{id}: the stored item whole, with its vector (null when the embedder cannot represent the text). */
export const StoredItem = z
  .object({
    id: z.string(),
    memory: z.string(),
    metadata: z.object({ ...treeMetadata, embedding: z.array(z.number()).nullable() }),
  })
  .meta({ id: "StoredItem" });
export type StoredItem = z.infer<typeof StoredItem>;

export const CubeBucket = z
  .object({
    cube_id: z.string(),
    memories: z.array(MemoryItem),
    total_nodes: z.number().int(),
    truncated: z.boolean().optional().describe("Memories were left out to keep the answer within 16 MiB: ask smaller pages (page_size)"),
  })
  .meta({ id: "CubeMemories" });
