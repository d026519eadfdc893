import type { ChatModel } from "../../llm/chat-model.js";
import { containsHan, conversationLanguage, type ConversationLanguage } from "./language.js";
import { completeJson } from "./model-json.js";
import { extractionMessages, formatRetry, languageRetry, type ExtractionWindow } from "./prompts.js";
import { ExtractionOutput, type ExtractedMemory } from "./schema.js";

export interface Extraction {
  memories: ExtractedMemory[];
  language: ConversationLanguage;
  retried: boolean;
}

/** The language of the user's messages (all messages when the user said nothing in the window). */
export function windowLanguage(window: ExtractionWindow): ConversationLanguage {
  const spoken = window.messages.filter((message) => message.role === "user");
  return conversationLanguage((spoken.length > 0 ? spoken : window.messages).map((message) => message.content));
}

/**
 * Messages → memories with the extraction model. Malformed JSON is repaired, then asked for once
 * more; so are memories written in English for a user who speaks Chinese (the failure users of
 * other memory servers report most). Throws ModelFormatError when no usable answer came, and
 * UpstreamError when the model server failed.
 */
export async function extractMemories(model: ChatModel, window: ExtractionWindow, signal: AbortSignal): Promise<Extraction> {
  const language = windowLanguage(window);
  const count = window.messages.length;
  const answer = await completeJson(model, extractionMessages(window, language), ExtractionOutput, {
    signal,
    retryTurn: (problem) => formatRetry(problem, language),
    check: (memories) =>
      language === "zh" && memories.length > 0 && !memories.some((memory) => containsHan(memory.text))
        ? { problem: "memories not written in Chinese", turn: languageRetry() }
        : undefined,
  });
  // Sources outside the window are the model's mistake: drop them (the memory then cites the whole window).
  const memories = answer.value.map((memory) => ({ ...memory, sources: memory.sources.filter((number) => number <= count) }));
  return { memories, language, retried: answer.retried };
}
