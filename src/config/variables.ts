/**
 * The catalogue of every environment variable memcube reads: its default, accepted range and
 * meaning. `docs/configuration.md` is generated from it (`npm run docs:config`), and
 * `test/docs/configuration.test.ts` holds it to the code: every variable the code reads is listed
 * here, each documented default changes nothing when set explicitly, and each documented range is
 * the one the code accepts. Nothing at run time reads this file.
 *
 * Descriptions are Markdown; their relative links are written from `docs/configuration.md`.
 */

/** An accepted numeric range, checked by the test at both ends and just outside them. */
export interface VariableRange {
  min: number;
  max: number;
  /** `integer` values step by 1; `decimal` ones (seconds) accept fractions. */
  kind: "integer" | "decimal";
}

export interface VariableDoc {
  name: string;
  /** The value used when the variable is unset or empty, as written in `.env`; undefined: none. */
  default?: string;
  /** How the default reads in the table when it is not a literal value, e.g. "*(none: open mode)*". */
  defaultText?: string;
  range?: VariableRange;
  description: string;
  /**
   * Other variables that must be set for this one to be read (e.g. the reranker's settings are read
   * only with `MOS_RERANKER_URL`). The test sets them when it checks the default and the range.
   */
  context?: Readonly<Record<string, string>>;
}

export interface VariableGroup {
  /** The section heading in docs/configuration.md. */
  title: string;
  intro?: string;
  variables: readonly VariableDoc[];
}

const integer = (min: number, max: number): VariableRange => ({ min, max, kind: "integer" });
const decimal = (min: number, max: number): VariableRange => ({ min, max, kind: "decimal" });

const RERANKER = { MOS_RERANKER_URL: "http://127.0.0.1:7997" };
const UNIVERSAL_API = {
  MOS_EMBEDDER_BACKEND: "universal_api",
  MOS_EMBEDDER_API_BASE: "http://127.0.0.1:11434/v1",
  MOS_EMBEDDER_MODEL: "bge-m3",
};
/** The ONNX settings need a model folder that exists; the test's working directory does. */
const ONNX = { MOS_EMBEDDER_BACKEND: "onnx", MOS_EMBEDDER_MODEL_PATH: "." };

export const VARIABLE_GROUPS: readonly VariableGroup[] = [
  {
    title: "Serving",
    variables: [
      { name: "PORT", default: "8001", range: integer(0, 65535), description: "TCP port (0 picks a free one). `serve --port` overrides it." },
      {
        name: "HOST",
        default: "127.0.0.1",
        description:
          "Interface to listen on. `0.0.0.0` exposes the server; without API keys that needs `--insecure-open` (see [Security](security.md)). `serve --host` overrides it.",
      },
      {
        name: "LOG_LEVEL",
        default: "info",
        description:
          "`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. Logs are JSON lines on stdout (pino). At `info` there is one line per request (method, path, status, ms, request id) and no memory text.",
      },
      {
        name: "MEMCUBE_CORS_ORIGINS",
        defaultText: "*(none)*",
        description:
          "Comma-separated browser origins allowed by CORS, e.g. `http://localhost:5173,https://app.example.com`. Empty: no CORS headers (a preflight `OPTIONS` gets a 404).",
      },
    ],
  },
  {
    title: "Storage",
    variables: [
      {
        name: "MEMCUBE_DATA_DIR",
        default: "./data",
        description: "Folder for `memcube.db` (plus its `-wal`/`-shm` files). Relative paths are resolved against the working directory. Created if missing.",
      },
      {
        name: "MEMCUBE_STORE",
        default: "sqlite",
        description:
          "Storage backend: `sqlite` (one file in `MEMCUBE_DATA_DIR`) or `postgres` (PostgreSQL with pgvector at `DATABASE_URL`; see [PostgreSQL](postgres.md)).",
      },
      {
        name: "DATABASE_URL",
        defaultText: "—",
        description:
          "Required for `MEMCUBE_STORE=postgres`: `postgres://user:password@host:5432/database` (`postgresql://` works too; libpq query parameters such as `sslmode=require` and `options=-c search_path=…` are passed on). memcube never prints the password.",
      },
    ],
  },
  {
    title: "Authentication",
    intro:
      "See [Security](security.md) for what keys allow and [Keys: hashed, read-only, reloaded](security.md#keys-hashed-read-only-reloaded) for the keys file.",
    variables: [
      {
        name: "MEMCUBE_API_KEYS",
        defaultText: "*(none: open mode)*",
        description:
          'A JSON object mapping each API key to the `user_id` it acts as, or to `"*"` for an admin key that may act as any user: `{"sk-alice-…": "alice", "sk-ops-…": "*"}`. Keys are 16–512 printable ASCII characters without spaces. When set, every route except `/`, `/health`, `/ready`, `/openapi.json` and `/docs` (and the static playground) needs `Authorization: Bearer <key>`.',
      },
      {
        name: "MEMCUBE_API_KEYS_FILE",
        defaultText: "*(none)*",
        description:
          "The same JSON, read from this file at start-up and again on SIGHUP (keeps keys out of the environment). It may hold SHA-256 digests instead of keys and read-only keys; `memcube keys` edits it. Set one of the two, not both.",
      },
      {
        name: "MEMCUBE_INSECURE_OPEN",
        default: "false",
        description: "`true` is the same as `serve --insecure-open`: serve without API keys on a non-loopback `HOST`, with a warning in the log.",
      },
    ],
  },
  {
    title: "Request limits",
    intro:
      "Requests past a limit are refused with a 413 or 422 that names the field and store nothing (see [Limits and hostile input](security.md#limits-and-hostile-input)).",
    variables: [
      {
        name: "MEMCUBE_BODY_LIMIT",
        default: "8mb",
        description: "Largest request body. Accepts `b`, `kb`, `mb`, `gb` or a plain byte count. Larger bodies get 413.",
      },
      { name: "MEMCUBE_MAX_MESSAGES_PER_ADD", default: "1000", range: integer(1, 1_000_000), description: "Most messages in one `/product/add`." },
      {
        name: "MEMCUBE_MAX_MESSAGE_CHARS",
        default: "100000",
        range: integer(1, 100_000_000),
        description: "Longest message content, and longest search `query`, in characters.",
      },
      { name: "MEMCUBE_MAX_TOP_K", default: "100", range: integer(1, 10_000), description: "Highest accepted `top_k` / `pref_top_k`." },
      {
        name: "MEMCUBE_MAX_DEPTH",
        default: "32",
        range: integer(2, 1000),
        description: "Deepest JSON nesting accepted in a request body; deeper bodies get 422.",
      },
    ],
  },
  {
    title: "Documents",
    intro: "Files sent to `/product/add` as file parts; see [Documents](documents.md).",
    variables: [
      {
        name: "MEMCUBE_DOCUMENT_MAX_BYTES",
        default: "5mb",
        description:
          "Largest document (decoded bytes, or fetched bytes of a URL) (`b`, `kb`, `mb`, `gb` or a byte count); a larger one gets 413 naming this limit. Sent base64-encoded, a document also has to fit `MEMCUBE_BODY_LIMIT` (base64 is 4/3 of the size).",
      },
      {
        name: "MEMCUBE_FETCH_URLS",
        default: "",
        defaultText: "*(empty: off)*",
        description:
          "Hosts whose `http(s)` URLs in `file_data` memcube fetches, comma-separated (`*`: any host). Off by default: a part with a URL gets 422. Only public addresses are connected to, whatever the host resolves to; redirects are checked again. See [Fetching URLs](documents.md#fetching-urls).",
      },
      {
        name: "MEMCUBE_FETCH_TIMEOUT_SECONDS",
        default: "10",
        range: decimal(0.1, 600),
        description: "Longest a URL fetch may take, redirects included.",
      },
    ],
  },
  {
    title: "Quotas",
    intro: "All off (`0`) by default; see [Quotas](security.md#quotas).",
    variables: [
      {
        name: "MEMCUBE_RATE_LIMIT_PER_MINUTE",
        default: "0",
        defaultText: "`0` (off)",
        range: integer(0, 1_000_000),
        description: "Requests a minute per API key (per acting user in open mode); more get 429 with `Retry-After`.",
      },
      {
        name: "MEMCUBE_CUBE_MAX_MEMORIES",
        default: "0",
        defaultText: "`0` (off)",
        range: integer(0, 1_000_000_000),
        description: "Most active memories per cube; an add past it gets 413.",
      },
      {
        name: "MEMCUBE_CUBE_MAX_BYTES",
        default: "0",
        defaultText: "`0` (off)",
        description:
          "Most UTF-8 bytes stored per cube (messages, memories, tags, info: see [Quotas](security.md#quotas)) (`b`, `kb`, `mb`, `gb` or a byte count); an add past it gets 413.",
      },
      {
        name: "MEMCUBE_SOFT_DELETE_RETENTION",
        default: "30d",
        range: decimal(1, 315_360_000),
        description:
          "How long memories soft-deleted by `delete_memory_by_record_id` can be recovered (`s`, `m`, `h`, `d`, or seconds; 1 s to 3650 d). Then the server purges them: at start and every half retention (at most hourly), and before any recover. Until then they still count in `MEMCUBE_CUBE_MAX_BYTES`.",
      },
      {
        name: "MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY",
        default: "0",
        defaultText: "`0` (off)",
        range: integer(0, 1_000_000_000_000),
        description:
          "LLM tokens (prompt + completion) each user's chats may use per UTC day; past it a chat gets 429 with `Retry-After` until midnight UTC. Counted in the store.",
      },
    ],
  },
  {
    title: "Embeddings",
    intro: "See [Embeddings](embeddings.md). Changing the embedder of an existing store needs `memcube reembed`.",
    variables: [
      {
        name: "MOS_EMBEDDER_BACKEND",
        default: "local",
        description:
          "`local` (the bundled English model), `universal_api` (any OpenAI-compatible `/embeddings` endpoint) or `onnx` (a model folder you supply; see [ONNX embedder](embeddings.md#onnx-embedder)).",
      },
      {
        name: "MOS_EMBEDDER_API_BASE",
        defaultText: "—",
        description: "Required for `universal_api`. Base URL, e.g. `https://api.openai.com/v1`; memcube posts to `<base>/embeddings`.",
      },
      { name: "MOS_EMBEDDER_API_KEY", defaultText: "—", description: "`universal_api`: sent as `Authorization: Bearer …` when set." },
      {
        name: "MOS_EMBEDDER_MODEL",
        defaultText: "—",
        description: "Required for `universal_api`. Sent as `model`.",
      },
      {
        name: "MOS_EMBEDDER_DIMENSIONS",
        defaultText: "—",
        range: integer(1, 16384),
        context: UNIVERSAL_API,
        description:
          "Optional, `universal_api`. Sent as `dimensions` (e.g. for OpenAI `text-embedding-3-*`). Start-up fails if the endpoint returns another size.",
      },
      {
        name: "MEMCUBE_EMBED_WORKERS",
        default: "auto",
        range: integer(1, 16),
        description:
          "`local`: threads running the bundled model all the time, each with its own copy (~110 MB). `auto`: one per core beyond the first (at least 1, at most 4), counting the cores the process may use (CPU affinity and a cgroup CPU quota), shared among `serve --workers N` processes. The start-up log line says what was chosen (`embeddingWorkers`). See [Performance](performance.md#encoder-threads).",
      },
      {
        name: "MEMCUBE_EMBED_BURST_WORKERS",
        default: "auto",
        range: integer(0, 16),
        description:
          "`local`: threads added while an import's backlog waits (128 texts or more), stopped once idle for 10 s (~110 MB each while they run). `auto`: 1 with 2 cores or more, started only while the machine has a core idle (from `/proc/stat`; a second thread on busy cores slowed imports down). A number set here starts whenever a backlog waits; `0` never.",
      },
    ],
  },
  {
    title: "ONNX embedder",
    intro: "Read only with `MOS_EMBEDDER_BACKEND=onnx`; see [ONNX embedder](embeddings.md#onnx-embedder).",
    variables: [
      { name: "MOS_EMBEDDER_MODEL_PATH", defaultText: "—", description: "Required for `onnx`: the model folder. It must exist." },
      {
        name: "MOS_EMBEDDER_POOLING",
        default: "mean",
        context: ONNX,
        description:
          "`mean`: the average of the token vectors under the attention mask (e5, MiniLM). `cls`: the `[CLS]` vector (bge models). Vectors are L2-normalised.",
      },
      {
        name: "MOS_EMBEDDER_QUERY_PREFIX",
        defaultText: "*(empty)*",
        description:
          "Put before search queries, taken verbatim: `query: ` for e5 models, `为这个句子生成表示以用于检索相关文章：` for bge-zh if you follow its retrieval recipe.",
      },
      { name: "MOS_EMBEDDER_PASSAGE_PREFIX", defaultText: "*(empty)*", description: "Put before stored memories: `passage: ` for e5." },
      {
        name: "MOS_EMBEDDER_MAX_TOKENS",
        default: "512",
        range: integer(8, 8192),
        context: ONNX,
        description:
          "Tokens per text, `[CLS]` and `[SEP]` included. Longer texts are cut, and tokenizer.json's own `truncation.max_length` wins when it is lower.",
      },
      {
        name: "MEMCUBE_ONNXRUNTIME_PATH",
        defaultText: "—",
        description: "Folder whose `node_modules` holds `onnxruntime-node`. Unset: looked for from the working directory, then in memcube's own folder.",
      },
    ],
  },
  {
    title: "Reranker",
    intro:
      "An optional cross-encoder that re-orders search results; the other settings are read only with `MOS_RERANKER_URL`. See [Reranker](embeddings.md#reranker).",
    variables: [
      {
        name: "MOS_RERANKER_URL",
        defaultText: "*(none: off)*",
        description:
          "The rerank endpoint, http(s). A bare host gets the protocol's usual path (`/v1/rerank`, or `/rerank` for `tei`), and a URL ending in `/v1` gets `/rerank`. Any other path is used as given: Infinity serves `/rerank` (give it in full) unless started with `--url-prefix /v1`. Credentials in the URL (`http://user:password@proxy/…`) are sent as basic auth.",
      },
      {
        name: "MOS_RERANKER_PROTOCOL",
        default: "cohere",
        context: RERANKER,
        description:
          "`cohere`: `POST {model, query, documents, top_n}` → `{results: [{index, relevance_score}]}`. This is the `/v1/rerank` of Jina, Cohere, vLLM and Infinity. `tei`: TEI's native `POST /rerank {query, texts, truncate: true}` → `[{index, score}]`. Either answer shape is accepted whichever protocol is set.",
      },
      {
        name: "MOS_RERANKER_MODEL",
        defaultText: "—",
        description: "Sent as `model` (`cohere` protocol) when set. vLLM and Infinity need it when they serve several models; Jina and Cohere always need it.",
      },
      { name: "MOS_RERANKER_API_KEY", defaultText: "—", description: "Sent as `Authorization: Bearer …` when set. It is never logged." },
      {
        name: "MOS_RERANKER_TOP_N",
        default: "30",
        range: integer(1, 1000),
        context: RERANKER,
        description:
          "Candidates reranked per cube and search, at most the candidates a search gathers (3 × `top_k`, at least 30). Candidates past this number follow the reranked ones in their built-in order. With `tei`, more than 32 go in parallel requests of 32 (TEI's default `--max-client-batch-size`).",
      },
      {
        name: "MOS_RERANKER_TIMEOUT_SECONDS",
        default: "3",
        range: decimal(0.05, 600),
        context: RERANKER,
        description: "Time allowed for one rerank call before search gives up on it.",
      },
      {
        name: "MOS_RERANKER_RETRY_AFTER_SECONDS",
        default: "30",
        range: decimal(0, 3600),
        context: RERANKER,
        description: "After a failure, searches skip the reranker for this long, so a dead reranker costs one timeout and not one per search.",
      },
    ],
  },
  {
    title: "Chat models",
    intro: "See [Chat](chat.md) and the entry fields [below](#chat_model_list-entries).",
    variables: [
      { name: "CHAT_MODEL_LIST", defaultText: "*(none)*", description: "JSON list of chat models (below). Empty or absent: no models, and chat is off." },
      {
        name: "BUSINESS_CHAT_KEYS",
        defaultText: "*(none)*",
        description:
          'JSON list of the `business_key`s that `POST /product/chat/stream/business_user` accepts, as MemOS reads it: `["bk-…", "bk-…"]`. Absent or empty: that route refuses every request (403). The keys are secrets; they are never logged.',
      },
    ],
  },
  {
    title: "Fine mode",
    intro: "Setting an extraction model turns [fine mode](fine-mode.md) on.",
    variables: [
      {
        name: "MEMRADER_API_BASE",
        defaultText: "—",
        description:
          "The extraction model: an OpenAI-compatible base URL, e.g. `https://dashscope.aliyuncs.com/compatible-mode/v1`. MemOS's spelling; `MEMREADER_API_BASE` works too (as do the two below). Setting any of the three turns fine mode on and requires `_API_BASE` and `_MODEL`.",
      },
      {
        name: "MEMRADER_API_KEY",
        defaultText: "—",
        description: "Its key, sent as `Authorization: Bearer …`. May be left out for a local server (ollama, vllm).",
      },
      { name: "MEMRADER_MODEL", defaultText: "—", description: "Its model name, sent as `model`." },
      {
        name: "MEMCUBE_EXTRACT_MODEL",
        defaultText: "—",
        description:
          "Instead of `MEMRADER_*`: a name from `CHAT_MODEL_LIST` to extract with (that entry's URL, key, `timeout`, `extra_body`…). Setting both is an error.",
      },
    ],
  },
  {
    title: "Jobs",
    intro: "The durable job queue that fine-mode extraction runs on; see [Jobs and the scheduler routes](fine-mode.md#jobs-and-the-scheduler-routes).",
    variables: [
      {
        name: "MEMCUBE_JOB_WORKERS",
        default: "2",
        range: integer(0, 64),
        description: "Jobs (extractions) this process runs at a time. `0` leaves them to other processes on the same store.",
      },
      { name: "MEMCUBE_JOB_MAX_ATTEMPTS", default: "5", range: integer(1, 100), description: "Attempts before a failing job is parked with its error." },
      {
        name: "MEMCUBE_JOB_RETRY_SECONDS",
        default: "10",
        range: decimal(0.01, 3600),
        description: "Backoff before the first retry; it doubles with each attempt (±20 %), up to an hour.",
      },
      {
        name: "MEMCUBE_JOB_LEASE_SECONDS",
        default: "60",
        range: decimal(0.5, 3600),
        description:
          "A running job's claim lapses this long after its runner's last heartbeat (every third of it); then any process may run the job again. Bounds how long a crash delays a job.",
      },
      {
        name: "MEMCUBE_JOB_POLL_SECONDS",
        default: "1",
        range: decimal(0.01, 60),
        description: "How often an idle runner checks for jobs queued by other processes (this process's own adds wake it at once).",
      },
    ],
  },
  {
    title: "Client commands",
    intro:
      "Read by the client commands (`memcube add`, `search`, `chat`, `import`, `export`; see [Command line](client-and-cli.md#command-line)), not by the server. Their flags override them.",
    variables: [
      { name: "MEMCUBE_URL", default: "http://127.0.0.1:8001", description: "The server to talk to (`--url`)." },
      { name: "MEMCUBE_USER", defaultText: "—", description: "The acting `user_id` (`--user`)." },
      { name: "MEMCUBE_API_KEY", defaultText: "—", description: "The API key sent as `Authorization: Bearer …` (`--api-key`)." },
    ],
  },
];

/** The server's settings: every group but the client commands' (those never reach `parseConfig`). */
export const CLIENT_VARIABLES: ReadonlySet<string> = new Set(["MEMCUBE_URL", "MEMCUBE_USER", "MEMCUBE_API_KEY"]);

export interface FieldDoc {
  name: string;
  description: string;
}

/** The fields of one `CHAT_MODEL_LIST` entry (`src/config/chat-models.ts`). */
export const CHAT_MODEL_FIELDS: readonly FieldDoc[] = [
  {
    name: "backend",
    description:
      "`openai` (default), `qwen`, `deepseek`, `ollama`, `vllm`, `minimax`, `openai_new`: all use the OpenAI chat-completions protocol. `azure` means Azure OpenAI: requires `api_version`, and sends the key in an `api-key` header.",
  },
  { name: "api_base", description: "Required, http(s) URL." },
  { name: "api_key", description: "Required, except for `ollama` and `vllm`." },
  { name: "model_name_or_path", description: "Required. Selects this entry." },
  { name: "support_models", description: "Further names that select this entry; the selected name is sent upstream as `model`." },
  {
    name: "extra_body",
    description:
      'Object merged into every request body (e.g. `{"enable_thinking": false}`). It must not set `model`, `messages` or `stream`. Streamed requests send `stream_options: {"include_usage": true}` (for the token metrics and quota) unless `extra_body` sets `stream_options` itself; `"stream_options": null` sends none, for a server that rejects the field.',
  },
  { name: "temperature", description: "Per-model default, 0–2." },
  { name: "max_tokens", description: "Per-model default, ≥ 1." },
  { name: "top_p", description: "Per-model default, 0–1." },
  { name: "api_version", description: "Azure API version, e.g. `2024-10-21`." },
  { name: "context_window", description: "Tokens that the prompt and the answer must fit in (≥ 256, default 32768)." },
  { name: "timeout", description: "Seconds per upstream call (0.1–3600, default 120)." },
];
