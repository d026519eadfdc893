import { z } from "zod";
import { DEFAULT_CONTEXT_WINDOW, DEFAULT_TIMEOUT_SECONDS, type ChatModelEntry } from "./chat-models.js";
import { ConfigError } from "./config-error.js";
import type { Env } from "./env.js";

/** The model fine mode extracts memories with: one chat-model entry and the name sent as `model`. */
export interface ExtractionConfig {
  entry: ChatModelEntry;
  model: string;
}

/** MemOS spells the reader's variables MEMRADER_*; the obvious MEMREADER_* is accepted too. */
const SPELLINGS = ["MEMRADER", "MEMREADER"] as const;
type Field = "API_BASE" | "API_KEY" | "MODEL";

/** The value of one reader field and the variable it came from (MemOS's spelling first). */
function readerField(env: Env, field: Field): { variable: string; value: string } | undefined {
  for (const prefix of SPELLINGS) {
    const variable = `${prefix}_${field}`;
    const value = env[variable]?.trim();
    if (value) return { variable, value };
  }
  return undefined;
}

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });

function fromReaderVariables(env: Env): ExtractionConfig | undefined {
  const base = readerField(env, "API_BASE");
  const key = readerField(env, "API_KEY");
  const model = readerField(env, "MODEL");
  if (!base && !key && !model) return undefined;
  if (!base) throw new ConfigError("MEMRADER_API_BASE", `required when ${(model ?? key)?.variable} is set (the extraction model's OpenAI-compatible base URL)`);
  if (!model) throw new ConfigError("MEMRADER_MODEL", `required when ${base.variable} is set (the model name sent upstream)`);
  if (!httpUrl.safeParse(base.value).success) {
    throw new ConfigError(base.variable, `expected an http(s) URL (got ${JSON.stringify(base.value)})`);
  }
  return {
    model: model.value,
    entry: {
      backend: "openai",
      apiBase: base.value,
      // A local server (ollama, vllm) may run without a key: then no Authorization header is sent.
      apiKey: key?.value ?? "",
      modelNameOrPath: model.value,
      supportModels: [],
      extraBody: {},
      // Extraction wants the same facts from the same words; a low temperature keeps small models on the JSON format.
      temperature: 0.1,
      maxTokens: undefined,
      topP: undefined,
      apiVersion: undefined,
      contextWindow: DEFAULT_CONTEXT_WINDOW,
      timeoutMs: DEFAULT_TIMEOUT_SECONDS * 1000,
    },
  };
}

function fromChatModelList(name: string, chatModels: readonly ChatModelEntry[]): ExtractionConfig {
  const entry = chatModels.find((candidate) => candidate.modelNameOrPath === name || candidate.supportModels.includes(name));
  if (!entry) {
    const names = chatModels.flatMap((candidate) => [...new Set([...candidate.supportModels, candidate.modelNameOrPath])]);
    throw new ConfigError(
      "MEMCUBE_EXTRACT_MODEL",
      `${JSON.stringify(name)} is not a name in CHAT_MODEL_LIST (configured: ${names.length > 0 ? names.join(", ") : "none"})`,
    );
  }
  return { entry, model: name };
}

/**
 * The extraction model: `MEMCUBE_EXTRACT_MODEL` (a name from CHAT_MODEL_LIST) or the MemOS reader
 * variables. Neither → undefined (fine mode is off). Both → an error: which one wins would be a guess.
 */
export function readExtraction(env: Env, chatModels: readonly ChatModelEntry[]): ExtractionConfig | undefined {
  const named = env.MEMCUBE_EXTRACT_MODEL?.trim();
  const reader = fromReaderVariables(env);
  if (named && reader) {
    throw new ConfigError("MEMCUBE_EXTRACT_MODEL", "set either MEMCUBE_EXTRACT_MODEL or the MEMRADER_* variables, not both");
  }
  if (named) return fromChatModelList(named, chatModels);
  return reader;
}
