// Placeholder: the chat-model helper replaces this file with the full CHAT_MODEL_LIST schema.
export interface ChatModelEntry {
  backend: string;
  apiBase: string;
  apiKey: string;
  modelNameOrPath: string;
  supportModels: string[];
}

export function parseChatModelList(raw: string | undefined): ChatModelEntry[] {
  if (raw === undefined || raw.trim() === "") return [];
  return [];
}
