export type { ChatCompletion, ChatDelta, ChatMessage, ChatModel, ChatOptions, ChatRole } from "./chat-model.js";
export { NoModelConfiguredError, UnknownModelError, UpstreamError, type UpstreamErrorKind } from "./errors.js";
export { ModelRegistry } from "./registry.js";
export { OpenAIChatModel, createOpenAIClient, type ChatClientOptions } from "./openai-chat.js";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";
export { ThinkSplitter, splitThink } from "./think-splitter.js";
