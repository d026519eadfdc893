import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { readApiKeys, type ApiKeyGrant } from "./api-keys.js";
import { parseBusinessChatKeys } from "./business-keys.js";
import { parseChatModelList, type ChatModelEntry } from "./chat-models.js";
import { ConfigError } from "./config-error.js";
import { loadEnv, type Env } from "./env.js";
import { readExtraction, type ExtractionConfig } from "./extraction.js";

export { ConfigError } from "./config-error.js";
export type { ApiKeyGrant, KeyAccess } from "./api-keys.js";
export { parseApiKeys, parseKeysObject, readApiKeysFile, sha256Hex } from "./api-keys.js";
export type { ChatModelEntry } from "./chat-models.js";
export type { ExtractionConfig } from "./extraction.js";

export type EmbedderConfig =
  | LocalEmbedderConfig
  | OnnxEmbedderConfig
  | {
      backend: "universal_api";
      apiBase: string;
      apiKey: string | undefined;
      model: string;
      /** Asked of the endpoint as `dimensions` when set (OpenAI text-embedding-3 supports it). */
      dimensions: number | undefined;
    };

/** The bundled encoder; its thread counts are chosen from the cores when `auto` (src/embed/worker-count.ts). */
export interface LocalEmbedderConfig {
  backend: "local";
  /** Encoder threads running all the time (MEMCUBE_EMBED_WORKERS). */
  workers?: number | "auto";
  /** Encoder threads added while an import's backlog waits (MEMCUBE_EMBED_BURST_WORKERS). */
  burstWorkers?: number | "auto";
  /** Server processes sharing the cores (`serve --workers N`), set by the command line. */
  processes?: number;
}

/** A local ONNX sentence-embedding model (BERT family) from a folder the operator supplies. */
export interface OnnxEmbedderConfig {
  backend: "onnx";
  /** Folder holding `model.onnx` (or `onnx/model.onnx`) and `tokenizer.json`. */
  modelPath: string;
  /** Put before queries, e.g. `query: ` for e5 models. */
  queryPrefix: string;
  /** Put before stored texts, e.g. `passage: ` for e5 models. */
  passagePrefix: string;
  /** `mean` over the attention mask (e5, MiniLM) or the `[CLS]` vector (bge). */
  pooling: "mean" | "cls";
  /** Tokens per text, [CLS] and [SEP] included; longer texts are cut. */
  maxTokens: number;
  /** Folder where `onnxruntime-node` is installed (its node_modules parent); module resolution when unset. */
  runtimePath: string | undefined;
}

/** The optional cross-encoder reranker of search results (MOS_RERANKER_*). */
export interface RerankerConfig {
  /** The endpoint, e.g. `http://localhost:7997/v1/rerank`; a bare host gets the protocol's path. */
  url: string;
  /** `cohere`: `{model, query, documents, top_n}` → `{results: [{index, relevance_score}]}` (Jina, Cohere, vLLM, Infinity); `tei`: TEI's native `/rerank` `{query, texts}` → `[{index, score}]`. */
  protocol: "cohere" | "tei";
  model: string | undefined;
  apiKey: string | undefined;
  /** The best this many candidates of each searched cube are sent to the reranker. */
  candidates: number;
  /** Time allowed for one rerank call before search falls back to the built-in ranking. */
  timeoutMs: number;
  /** After a failure the reranker is left alone this long (searches use the built-in ranking). */
  retryAfterMs: number;
}

export interface Limits {
  bodyBytes: number;
  messagesPerAdd: number;
  charsPerMessage: number;
  maxTopK: number;
  maxDepth: number;
  historyMessages: number;
}

/** Per-caller limits; 0 turns one off. */
export interface Quotas {
  /** Requests per minute per API key (per acting user in open mode). */
  requestsPerMinute: number;
  /** Active memories per cube. */
  cubeMaxMemories: number;
  /** UTF-8 bytes stored per cube: messages, memory texts, keys, tags and infos (see Store.cubeUsage). */
  cubeMaxBytes: number;
  /** LLM tokens (prompt + completion) of chats per user per UTC day. */
  chatTokensPerUserPerDay: number;
}

/** The durable job queue (fine-mode extraction runs on it). */
export interface JobSettings {
  /** Job runners in this process; 0 leaves the queue to other processes. */
  workers: number;
  /** Attempts before a failing job is parked with its error. */
  maxAttempts: number;
  /** Backoff before retry n is `retryBaseMs · 2ⁿ⁻¹` (capped at an hour). */
  retryBaseMs: number;
  /** A running job's claim expires this long after its last heartbeat; then another runner may take it. */
  leaseMs: number;
  /** How often an idle runner looks for work queued by other processes. */
  pollMs: number;
}

/** Files sent to add (see docs/documents.md). */
export interface DocumentLimits {
  /** Largest document, in bytes. */
  maxBytes: number;
  /** Hosts whose URLs in file_data are fetched (`*`: any public host); empty: none. */
  fetchHosts: string[];
  fetchTimeoutMs: number;
}

export interface Config {
  documents: DocumentLimits;
  port: number;
  host: string;
  dataDir: string;
  store: "sqlite" | "postgres";
  /** PostgreSQL connection URL (MEMCUBE_STORE=postgres only). Never printed: it may hold a password. */
  databaseUrl: string | undefined;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  corsOrigins: string[];
  limits: Limits;
  quotas: Quotas;
  /** How long soft-deleted memories (delete_memory_by_record_id) can be recovered before they are purged. */
  softDeleteRetentionMs: number;
  embedder: EmbedderConfig;
  /** Undefined unless MOS_RERANKER_URL is set. */
  reranker: RerankerConfig | undefined;
  chatModels: ChatModelEntry[];
  /** BUSINESS_CHAT_KEYS: the `business_key`s chat/stream/business_user accepts (none: it refuses all). Secrets. */
  businessChatKeys: string[];
  /** The fine-mode extraction model; undefined when fine mode is off. */
  extraction: ExtractionConfig | undefined;
  jobs: JobSettings;
  /** MEMCUBE_API_KEYS(_FILE): each key and the user it acts as (`*`: any). Undefined: open mode. */
  apiKeys: ApiKeyGrant[] | undefined;
  /** MEMCUBE_API_KEYS_FILE: read again on SIGHUP (undefined when the keys come from MEMCUBE_API_KEYS). */
  apiKeysFile: string | undefined;
  /** Open mode on a non-loopback HOST, allowed by `serve --insecure-open` (MEMCUBE_INSECURE_OPEN). */
  insecureOpen: boolean;
}

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** `auto`, or a whole number from min to max. */
const autoOrInteger = (min: number, max: number) =>
  z.union([z.literal("auto"), integer(min, max)], { error: `expected auto or a whole number from ${min} to ${max}` });
const seconds = (min: number, max: number) =>
  z.coerce
    .number()
    .min(min)
    .max(max)
    .transform((value) => Math.round(value * 1000));

/** Reads one variable with a schema; a bad value is a ConfigError naming the variable. */
function read<T>(env: Env, variable: string, schema: z.ZodType<T>, fallback: T): T {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === "") return fallback;
  const result = schema.safeParse(raw.trim());
  if (!result.success) {
    const problem = result.error.issues[0]?.message ?? "invalid value";
    throw new ConfigError(variable, `${problem} (got ${JSON.stringify(raw)})`);
  }
  return result.data;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `8mb`, `512kb`, `1048576` → bytes. */
const DAY_MS = 86_400_000;
const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

/** A duration such as `30d`, `12h`, `90m` or `45s`, or seconds; in milliseconds, from 1 s to 3650 days. */
export const duration = z.string().transform((text, ctx) => {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/i.exec(text);
  const ms = match ? Number(match[1]) * (DURATION_UNITS[(match[2] ?? "s").toLowerCase()] ?? 1000) : Number.NaN;
  if (!(ms >= 1000 && ms <= 3650 * DAY_MS)) {
    ctx.addIssue({ code: "custom", message: "expected a duration from 1s to 3650d, such as 30d, 12h, 90m or a number of seconds" });
    return z.NEVER;
  }
  return Math.round(ms);
});

export const byteSize = z.string().transform((text, ctx) => {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text);
  if (!match) {
    ctx.addIssue({ code: "custom", message: "expected a size such as 8mb, 512kb or a byte count" });
    return z.NEVER;
  }
  const unit = (match[2] ?? "b").toLowerCase();
  return Math.floor(Number(match[1]) * (SIZE_UNITS[unit] ?? 1));
});

function readEmbedder(env: Env): EmbedderConfig {
  const backend = read(env, "MOS_EMBEDDER_BACKEND", z.enum(["local", "universal_api", "onnx"]), "local");
  if (backend === "local") {
    return {
      backend,
      workers: read(env, "MEMCUBE_EMBED_WORKERS", autoOrInteger(1, 16), "auto"),
      burstWorkers: read(env, "MEMCUBE_EMBED_BURST_WORKERS", autoOrInteger(0, 16), "auto"),
    };
  }
  if (backend === "onnx") return readOnnxEmbedder(env);
  const apiBase = read(env, "MOS_EMBEDDER_API_BASE", z.url(), "");
  if (!apiBase) throw new ConfigError("MOS_EMBEDDER_API_BASE", "required when MOS_EMBEDDER_BACKEND=universal_api");
  const model = read(env, "MOS_EMBEDDER_MODEL", z.string(), "");
  if (!model) throw new ConfigError("MOS_EMBEDDER_MODEL", "required when MOS_EMBEDDER_BACKEND=universal_api");
  return {
    backend,
    apiBase,
    apiKey: env.MOS_EMBEDDER_API_KEY?.trim() || undefined,
    model,
    dimensions: read<number | undefined>(env, "MOS_EMBEDDER_DIMENSIONS", integer(1, 16384), undefined),
  };
}

function readOnnxEmbedder(env: Env): OnnxEmbedderConfig {
  const modelPath = read(env, "MOS_EMBEDDER_MODEL_PATH", z.string(), "");
  if (!modelPath) throw new ConfigError("MOS_EMBEDDER_MODEL_PATH", "required when MOS_EMBEDDER_BACKEND=onnx: a folder with model.onnx and tokenizer.json");
  const folder = path.resolve(modelPath);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ConfigError("MOS_EMBEDDER_MODEL_PATH", `${folder} is not a folder; expected one with model.onnx and tokenizer.json`);
  }
  const runtimePath = read(env, "MEMCUBE_ONNXRUNTIME_PATH", z.string(), "");
  return {
    backend: "onnx",
    modelPath: folder,
    // Prefixes are taken verbatim (untrimmed): "query: " needs its space.
    queryPrefix: env.MOS_EMBEDDER_QUERY_PREFIX ?? "",
    passagePrefix: env.MOS_EMBEDDER_PASSAGE_PREFIX ?? "",
    pooling: read(env, "MOS_EMBEDDER_POOLING", z.enum(["mean", "cls"]), "mean"),
    maxTokens: read(env, "MOS_EMBEDDER_MAX_TOKENS", integer(8, 8192), 512),
    runtimePath: runtimePath ? path.resolve(runtimePath) : undefined,
  };
}

function readReranker(env: Env): RerankerConfig | undefined {
  const raw = read(env, "MOS_RERANKER_URL", z.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" }), "");
  if (!raw) return undefined;
  const protocol = read(env, "MOS_RERANKER_PROTOCOL", z.enum(["cohere", "tei"]), "cohere");
  const url = new URL(raw);
  // A bare host (or `…/v1`) gets the usual route, so that the base URL copied from a server's docs works.
  if (url.pathname === "/" || url.pathname === "") url.pathname = protocol === "tei" ? "/rerank" : "/v1/rerank";
  else if (/\/v1\/?$/.test(url.pathname)) url.pathname = url.pathname.replace(/\/?$/, "/rerank");
  return {
    url: url.toString(),
    protocol,
    model: env.MOS_RERANKER_MODEL?.trim() || undefined,
    apiKey: env.MOS_RERANKER_API_KEY?.trim() || undefined,
    candidates: read(env, "MOS_RERANKER_TOP_N", integer(1, 1000), 30),
    timeoutMs: read(env, "MOS_RERANKER_TIMEOUT_SECONDS", seconds(0.05, 600), 3000),
    retryAfterMs: read(env, "MOS_RERANKER_RETRY_AFTER_SECONDS", seconds(0, 3600), 30_000),
  };
}

/** The storage backend; postgres needs DATABASE_URL, a postgres:// URL (its password is never echoed). */
function readStorage(env: Env): { store: "sqlite" | "postgres"; databaseUrl: string | undefined } {
  const store = read(env, "MEMCUBE_STORE", z.enum(["sqlite", "postgres"]), "sqlite");
  if (store === "sqlite") return { store, databaseUrl: undefined };
  const raw = env.DATABASE_URL?.trim();
  if (!raw) throw new ConfigError("DATABASE_URL", "required when MEMCUBE_STORE=postgres, e.g. postgres://user:password@host:5432/memcube");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("DATABASE_URL", "not a URL; expected postgres://user:password@host:5432/database");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError("DATABASE_URL", `expected a postgres:// or postgresql:// URL, not ${url.protocol}//…`);
  }
  if (!url.hostname && !url.searchParams.get("host")) throw new ConfigError("DATABASE_URL", "names no host");
  return { store, databaseUrl: raw };
}

/** Parses and validates the whole configuration once; throws ConfigError on the first bad value. */
export function parseConfig(env: Env): Config {
  const chatModels = (() => {
    try {
      return parseChatModelList(env.CHAT_MODEL_LIST);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError("CHAT_MODEL_LIST", error instanceof Error ? error.message : String(error));
    }
  })();
  return {
    extraction: readExtraction(env, chatModels),
    jobs: {
      workers: read(env, "MEMCUBE_JOB_WORKERS", integer(0, 64), 2),
      maxAttempts: read(env, "MEMCUBE_JOB_MAX_ATTEMPTS", integer(1, 100), 5),
      retryBaseMs: read(env, "MEMCUBE_JOB_RETRY_SECONDS", seconds(0.01, 3600), 10_000),
      leaseMs: read(env, "MEMCUBE_JOB_LEASE_SECONDS", seconds(0.5, 3600), 60_000),
      pollMs: read(env, "MEMCUBE_JOB_POLL_SECONDS", seconds(0.01, 60), 1000),
    },
    documents: {
      maxBytes: read(env, "MEMCUBE_DOCUMENT_MAX_BYTES", byteSize, 5 * 1024 ** 2),
      fetchHosts: read(env, "MEMCUBE_FETCH_URLS", z.string(), "")
        .split(",")
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
      fetchTimeoutMs: read(env, "MEMCUBE_FETCH_TIMEOUT_SECONDS", seconds(0.1, 600), 10_000),
    },
    port: read(env, "PORT", integer(0, 65535), 8001),
    host: read(env, "HOST", z.string().min(1), "127.0.0.1"),
    dataDir: path.resolve(read(env, "MEMCUBE_DATA_DIR", z.string().min(1), "./data")),
    ...readStorage(env),
    logLevel: read(env, "LOG_LEVEL", z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]), "info"),
    corsOrigins: read(env, "MEMCUBE_CORS_ORIGINS", z.string(), "")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
    limits: {
      bodyBytes: read(env, "MEMCUBE_BODY_LIMIT", byteSize, 8 * 1024 ** 2),
      messagesPerAdd: read(env, "MEMCUBE_MAX_MESSAGES_PER_ADD", integer(1, 1_000_000), 1000),
      charsPerMessage: read(env, "MEMCUBE_MAX_MESSAGE_CHARS", integer(1, 100_000_000), 100_000),
      maxTopK: read(env, "MEMCUBE_MAX_TOP_K", integer(1, 10_000), 100),
      maxDepth: read(env, "MEMCUBE_MAX_DEPTH", integer(2, 1000), 32),
      historyMessages: 20,
    },
    quotas: {
      requestsPerMinute: read(env, "MEMCUBE_RATE_LIMIT_PER_MINUTE", integer(0, 1_000_000), 0),
      cubeMaxMemories: read(env, "MEMCUBE_CUBE_MAX_MEMORIES", integer(0, 1_000_000_000), 0),
      cubeMaxBytes: read(env, "MEMCUBE_CUBE_MAX_BYTES", byteSize, 0),
      chatTokensPerUserPerDay: read(env, "MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY", integer(0, 1_000_000_000_000), 0),
    },
    embedder: readEmbedder(env),
    reranker: readReranker(env),
    chatModels,
    businessChatKeys: parseBusinessChatKeys(env.BUSINESS_CHAT_KEYS),
    apiKeys: readApiKeys(env),
    apiKeysFile: env.MEMCUBE_API_KEYS_FILE?.trim() || undefined,
    insecureOpen: read(env, "MEMCUBE_INSECURE_OPEN", z.stringbool(), false),
    softDeleteRetentionMs: read(env, "MEMCUBE_SOFT_DELETE_RETENTION", duration, 30 * DAY_MS),
  };
}

/** Loads `.env` under the environment (and command-line overrides over both) and parses it. */
export function loadConfig(overrides: Record<string, string | undefined> = {}, envFile = ".env"): Config {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return parseConfig({ ...loadEnv(envFile), ...defined });
}
