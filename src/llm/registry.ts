import type { ChatModelEntry } from "../config/chat-models.js";
import type { ChatModel } from "./chat-model.js";
import { NoModelConfiguredError, UnknownModelError } from "./errors.js";
import { OpenAIChatModel, createOpenAIClient, type ChatClientOptions } from "./openai-chat.js";

/**
 * The configured chat models by name. Every `support_models` name selects its entry and is sent
 * upstream as `model`; an entry's `model_name_or_path` selects it too (sent as itself). The default
 * is the first entry's first `support_models` name, else its `model_name_or_path`.
 * `parseChatModelList` already guarantees that no name selects two entries.
 */
export class ModelRegistry {
  /** The model used when a request names none; undefined when nothing is configured. */
  readonly defaultName: string | undefined;
  private readonly models = new Map<string, ChatModel>();

  constructor(entries: readonly ChatModelEntry[], options: ChatClientOptions = {}) {
    for (const entry of entries) {
      const client = createOpenAIClient(entry); // one connection pool per entry, shared by its names
      for (const name of [...entry.supportModels, entry.modelNameOrPath]) {
        if (!this.models.has(name)) this.models.set(name, new OpenAIChatModel(entry, name, client, options));
      }
    }
    const first = entries[0];
    this.defaultName = first ? (first.supportModels[0] ?? first.modelNameOrPath) : undefined;
  }

  /** Every name that selects a model, in configuration order (for `GET /product/models`). */
  names(): string[] {
    return [...this.models.keys()];
  }

  /**
   * The model for a request's `model_name_or_path`; undefined or empty → the default.
   * @throws NoModelConfiguredError when `CHAT_MODEL_LIST` is empty
   * @throws UnknownModelError when the name is not configured
   */
  resolve(name?: string): ChatModel {
    if (this.defaultName === undefined) throw new NoModelConfiguredError();
    const wanted = name?.trim() || this.defaultName;
    const model = this.models.get(wanted);
    if (!model) throw new UnknownModelError(wanted, this.names());
    return model;
  }
}
