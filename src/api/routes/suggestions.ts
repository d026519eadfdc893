import type { ChatDeps } from "../../chat/pipeline.js";
import { suggestQuestions } from "../../chat/suggestions.js";
import type { Limits } from "../../config/index.js";
import type { ChatMessage } from "../../llm/chat-model.js";
import type { App } from "../app-env.js";
import { clientGone } from "../client-gone.js";
import { postJson } from "../route.js";
import { SuggestionsData, suggestionsRequest, type SuggestionsBody } from "../schemas/suggestions.js";

type Part = { text?: string | undefined };
const textOf = (content: string | Part | Part[] | undefined): string =>
  typeof content === "string" ? content : Array.isArray(content) ? content.map((part) => part.text ?? "").join("\n") : (content?.text ?? "");

/** MemOS's `message` as a conversation: a bare string is the user's; roles other than assistant and system read as the user's. */
export function conversationOf(message: SuggestionsBody["message"]): ChatMessage[] {
  if (message === undefined) return [];
  if (typeof message === "string") return [{ role: "user", content: message }];
  return message.map((entry) => ({
    role: entry.role === "assistant" || entry.role === "system" ? entry.role : "user",
    content: textOf(entry.content),
  }));
}

/** MemOS's `POST /product/suggestions`: questions the user might ask next, by the chat model. */
export function suggestionRoutes(app: App, deps: ChatDeps, limits: Limits): void {
  postJson(
    app,
    limits,
    {
      path: "/product/suggestions",
      actor: "user_id",
      readOnly: true,
      tag: "chat",
      summary: "Questions the user might ask next, from the conversation or the cube's latest memories (by the default chat model)",
      body: suggestionsRequest(limits),
      data: SuggestionsData,
      message: "Suggestions retrieved successfully",
    },
    async (body, c) => {
      const conversation = conversationOf(body.message);
      const query = await suggestQuestions(deps, {
        userId: body.user_id,
        cubeId: body.mem_cube_id,
        language: body.language,
        ...(conversation.length > 0 && { conversation }),
        signal: clientGone(c).signal,
      });
      return { query };
    },
  );
}
