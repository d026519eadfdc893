import { z } from "zod";
import { ConfigError } from "./config-error.js";

const VARIABLE = "CHAT_MODEL_LIST";

/** Backends spoken through the OpenAI chat-completions protocol (MemOS's names), plus Azure OpenAI. */
export const CHAT_BACKENDS = ["openai", "qwen", "deepseek", "ollama", "vllm", "minimax", "openai_new", "azure"] as const;

/** Local servers that usually run without authentication, so an empty key is fine. */
const KEYLESS_BACKENDS: ReadonlySet<string> = new Set(["ollama", "vllm"]);

/** Fields the client owns; letting `extra_body` replace them would break the request. */
const RESERVED_BODY_KEYS = ["model", "messages", "stream"];

export const DEFAULT_CONTEXT_WINDOW = 32_768;
export const DEFAULT_TIMEOUT_SECONDS = 120;

/** MemOS clients send `null` for "not set"; treat it exactly like a missing key. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

/** "required" for a missing field, else `message`; never the offending value. */
const required = (message: string) => (issue: { input?: unknown }) => (issue.input === undefined ? "required" : message);

const modelName = z
  .string({ error: required("expected a string") })
  .trim()
  .min(1, "must not be empty");

// Messages never echo the offending value: a misplaced key must not end up in a log. Exported for the
// configuration docs test (docs/configuration.md lists exactly these fields).
export const entrySchema = z
  .object({
    backend: optional(z.enum(CHAT_BACKENDS, { error: `expected one of ${CHAT_BACKENDS.join(", ")}` })),
    api_base: z.url({ protocol: /^https?$/, error: required("expected an http(s) URL") }),
    api_key: optional(z.string({ error: "expected a string" })),
    model_name_or_path: modelName,
    support_models: optional(z.array(modelName)),
    extra_body: optional(z.record(z.string(), z.unknown(), { error: "expected a JSON object" })),
    temperature: optional(z.number().min(0).max(2)),
    max_tokens: optional(z.number().int().min(1)),
    top_p: optional(z.number().min(0).max(1)),
    api_version: optional(z.string().trim().min(1, "must not be empty")),
    context_window: optional(z.number().int().min(256)),
    timeout: optional(z.number().min(0.1).max(3600)),
  })
  .superRefine((entry, ctx) => {
    const backend = entry.backend ?? "openai";
    if (!entry.api_key && !KEYLESS_BACKENDS.has(backend)) {
      ctx.addIssue({
        code: "custom",
        path: ["api_key"],
        message: `required for backend ${backend} (only ollama and vllm may run without a key)`,
      });
    }
    if (backend === "azure" && !entry.api_version) {
      ctx.addIssue({ code: "custom", path: ["api_version"], message: "required for backend azure (e.g. 2024-10-21)" });
    }
    const reserved = RESERVED_BODY_KEYS.filter((key) => entry.extra_body && key in entry.extra_body);
    if (reserved.length > 0) {
      ctx.addIssue({ code: "custom", path: ["extra_body"], message: `must not set ${reserved.join(", ")}` });
    }
  })
  .transform((entry) => ({
    backend: entry.backend ?? "openai",
    apiBase: entry.api_base,
    /** Empty for keyless local servers. Never log it. */
    apiKey: entry.api_key ?? "",
    modelNameOrPath: entry.model_name_or_path,
    /** Names that select this entry and are sent upstream as `model`; de-duplicated, in order. */
    supportModels: [...new Set(entry.support_models ?? [])],
    /** Merged into every request body (provider-specific switches such as `enable_thinking`). */
    extraBody: entry.extra_body ?? {},
    temperature: entry.temperature,
    maxTokens: entry.max_tokens,
    topP: entry.top_p,
    apiVersion: entry.api_version,
    /** Tokens the prompt and the answer must fit in; the chat pipeline trims to it. */
    contextWindow: entry.context_window ?? DEFAULT_CONTEXT_WINDOW,
    timeoutMs: Math.round((entry.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000),
  }));

/** One validated `CHAT_MODEL_LIST` entry (camelCase, defaults applied). */
export type ChatModelEntry = z.output<typeof entrySchema>;
export type ChatBackend = (typeof CHAT_BACKENDS)[number];

/** `["support_models", 2]` → `support_models[2]`. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, index) => (typeof part === "number" ? `[${part}]` : `${index > 0 ? "." : ""}${String(part)}`)).join("");
}

/** `entry 2 ("deepseek-r1")`: 1-based, with the name when the entry has a usable one. */
function describeEntry(raw: unknown, index: number): string {
  const name = typeof raw === "object" && raw !== null && "model_name_or_path" in raw ? raw.model_name_or_path : undefined;
  return typeof name === "string" && name.trim() !== "" ? `entry ${index + 1} (${JSON.stringify(name.trim())})` : `entry ${index + 1}`;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    // Newer V8 versions quote the input around the error, which could include a key: keep the position only.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
    const where = position === undefined ? "" : ` (at character ${position})`;
    throw new ConfigError(VARIABLE, `not valid JSON${where}; expected a list like [{"api_base": …, "api_key": …, "model_name_or_path": …}]`);
  }
}

/**
 * Parses `CHAT_MODEL_LIST`. Empty or absent → no models (chat is then off). Throws a one-line
 * `ConfigError` naming the entry and the field on the first problem; never includes a key.
 */
export function parseChatModelList(raw: string | undefined): ChatModelEntry[] {
  if (raw === undefined || raw.trim() === "") return [];
  const list = parseJson(raw.trim());
  if (list === null) return [];
  if (!Array.isArray(list)) {
    throw new ConfigError(VARIABLE, "expected a JSON list (array) of model entries");
  }

  const entries = list.map((item: unknown, index) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new ConfigError(VARIABLE, `${describeEntry(item, index)}: expected an object`);
    }
    const result = entrySchema.safeParse(item);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue && issue.path.length > 0 ? `${fieldPath(issue.path)}: ` : "";
      throw new ConfigError(VARIABLE, `${describeEntry(item, index)}: ${field}${issue?.message ?? "invalid entry"}`);
    }
    return result.data;
  });

  // A name must select exactly one entry, or the model a request gets would depend on list order.
  const owners = new Map<string, number>();
  entries.forEach((entry, index) => {
    for (const name of new Set([...entry.supportModels, entry.modelNameOrPath])) {
      const owner = owners.get(name);
      if (owner !== undefined) {
        throw new ConfigError(
          VARIABLE,
          `model name ${JSON.stringify(name)} is configured twice: in ${describeEntry(list[owner], owner)} and ${describeEntry(list[index], index)}`,
        );
      }
      owners.set(name, index);
    }
  });
  return entries;
}
