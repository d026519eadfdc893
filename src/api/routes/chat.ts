import { createRoute } from "@hono/zod-openapi";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { Limits } from "../../config/index.js";
import { prepareChat, runChat, type ChatDeps, type ChatEvent, type ChatRequest, type ChatStage } from "../../chat/pipeline.js";
import type { PromptMemory } from "../../chat/prompt.js";
import type { Context } from "hono";
import type { ChatMessage } from "../../llm/chat-model.js";
import { messageText } from "../add-messages.js";
import type { App, AppEnv } from "../app-env.js";
import { clampWithNotice } from "../notice.js";
import { envelope, success } from "../schemas/envelope.js";
import { describeError } from "../errors.js";
import { memoryItem } from "../present.js";
import { errorResponses, postJson, readActingBody } from "../route.js";
import { ChatCompleteData, ChatFrame, ModelsData, chatRequest, type ChatBody } from "../schemas/chat.js";
import { cubesOf } from "./memory.js";
import { clientGone } from "../client-gone.js";
import { mayWrite, readOnlyRoute } from "../auth/read-only.js";
import { logClientClosed } from "../client-closed.js";

const STAGE_CODES: Record<ChatStage, "0" | "1" | "2"> = { searching: "0", searched: "1", generating: "2" };

export const references = (memories: readonly PromptMemory[]) =>
  memories.map(({ memory, relevance, preference }) => memoryItem(memory, relevance, preference === true || memory.memoryType === "PreferenceMemory"));

/**
 * A history message as the chat model is given it. A tool's result goes in as the assistant's (its
 * tool call is text by then, and a model refuses a tool message without the call it answers).
 */
function historyEntry(message: ChatBody["history"] extends (infer M)[] | undefined ? M : never): ChatMessage {
  const content = messageText(message);
  if (message.role === "tool") return { role: "assistant", content: `[tool result] ${content}` };
  return { role: message.role === "system" || message.role === "assistant" ? message.role : "user", content };
}

/** `writes`: false for a read-only key, whose chats write nothing back whatever the body asks. */
export function toChatRequest(body: ChatBody, limits: Limits, writes: boolean, c: Context<AppEnv>): ChatRequest {
  const history = (body.history ?? [])
    .map(historyEntry)
    .filter((message) => message.content.trim() !== "")
    .slice(-limits.historyMessages);
  return {
    userId: body.user_id,
    query: body.query,
    readableCubeIds: cubesOf(body.readable_cube_ids, body.mem_cube_id, body.user_id),
    writableCubeIds: cubesOf(body.writable_cube_ids, body.mem_cube_id, body.user_id),
    history,
    systemPrompt: body.system_prompt,
    topK: clampWithNotice(c, "top_k", body.top_k, 1, limits.maxTopK),
    sessionId: body.session_id,
    modelName: body.model_name_or_path,
    // MemOS bounds none of these; the model API does: clamped, and the clamp said.
    temperature: clampWithNotice(c, "temperature", body.temperature, 0, 2),
    maxTokens: clampWithNotice(c, "max_tokens", body.max_tokens, 1, 1_000_000),
    topP: clampWithNotice(c, "top_p", body.top_p, 0, 1),
    addMessageOnAnswer: body.add_message_on_answer && writes,
    threshold: clampWithNotice(c, "threshold", body.threshold, 0, 1),
    includePreference: body.include_preference,
    preferenceTopK: clampWithNotice(c, "pref_top_k", body.pref_top_k, 0, limits.maxTopK),
  };
}

export function frameOf(event: ChatEvent): ChatFrame {
  switch (event.type) {
    case "status":
      return { type: "status", data: STAGE_CODES[event.stage] };
    case "reference":
      return { type: "reference", data: references(event.memories) };
    case "reasoning":
    case "text":
      return { type: event.type, data: event.text };
    case "time":
      return {
        type: "time",
        data: { total_time: event.totalTime, search_time: event.searchTime, first_token_time: event.firstTokenTime },
      };
  }
}

async function sendFrame(stream: SSEStreamingApi, frame: ChatFrame): Promise<void> {
  await stream.writeSSE({ data: JSON.stringify(frame) });
}

export function chatRoutes(app: App, deps: ChatDeps, limits: Limits): void {
  const schema = chatRequest(limits);
  const streamRoute = { body: schema, actor: "user_id" } as const;

  postJson(
    app,
    limits,
    {
      path: "/product/chat/complete",
      actor: "user_id",
      readOnly: true, // its write-back is off for read-only keys
      tag: "chat",
      summary: "Answer a query with the user's memories, and remember the turn",
      body: schema,
      data: ChatCompleteData,
      message: "Chat completed successfully",
    },
    async (body, c) => {
      const prepared = await prepareChat(deps, toChatRequest(body, limits, mayWrite(c), c));
      const controller = clientGone(c);
      let response = "";
      let reasoning: string | null = null;
      let used: PromptMemory[] = [];
      for await (const event of runChat(deps, prepared, { stream: false, signal: controller.signal })) {
        if (event.type === "text") response += event.text;
        if (event.type === "reasoning") reasoning = (reasoning ?? "") + event.text;
        if (event.type === "reference") used = event.memories;
      }
      return { response, reasoning, references: references(used) };
    },
  );

  app.openAPIRegistry.registerPath(
    createRoute({
      method: "post",
      path: "/product/chat/stream",
      tags: ["chat"],
      summary: "The same, streamed as server-sent events",
      description:
        "Frames, each `data: <json>\\n\\n`: status 0 → status 1 → reference → status 2 → reasoning… → text… → time → end. Errors before the first frame are JSON responses; later ones are an `error` frame.",
      request: { body: { required: true, content: { "application/json": { schema } } } },
      responses: {
        200: { description: "An event stream", content: { "text/event-stream": { schema: ChatFrame } } },
        ...errorResponses(),
      },
    }),
  );
  app.post("/product/chat/stream", readOnlyRoute, async (c) => {
    const body = await readActingBody(c, streamRoute, limits);
    const prepared = await prepareChat(deps, toChatRequest(body, limits, mayWrite(c), c));
    const controller = clientGone(c);
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => controller.abort());
      try {
        for await (const event of runChat(deps, prepared, { stream: true, signal: controller.signal })) {
          await sendFrame(stream, frameOf(event));
        }
        await sendFrame(stream, { type: "end" });
      } catch (error) {
        if (controller.signal.aborted) return logClientClosed(c, "left mid-stream");
        const message = describeError(error, c);
        await sendFrame(stream, { type: "error", data: message, content: message });
      }
    });
  });

  app.openAPIRegistry.registerPath(
    createRoute({
      method: "get",
      path: "/product/models",
      tags: ["chat"],
      summary: "The configured chat model names (never their keys)",
      responses: { 200: { description: "Success", content: { "application/json": { schema: envelope(ModelsData) } } } },
    }),
  );
  app.get("/product/models", readOnlyRoute, (c) => c.json(success({ default_model: deps.models.defaultName ?? null, models: deps.models.names() })));
}
