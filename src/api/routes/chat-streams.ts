/**
 * MemOS's two other chat streams: the playground's (chat/stream's frames plus the preferences shown
 * and suggested next questions) and the business clients' (the answer's pieces only, for callers
 * holding a key of BUSINESS_CHAT_KEYS).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { prepareChat, runChat, type ChatDeps } from "../../chat/pipeline.js";
import { preferenceMarkdown } from "../../chat/preference-summary.js";
import { promptLanguage } from "../../chat/prompt.js";
import { suggestQuestions } from "../../chat/suggestions.js";
import type { Limits } from "../../config/index.js";
import { ApiError } from "../api-error.js";
import type { AppEnv, App } from "../app-env.js";
import { mayWrite, readOnlyRoute } from "../auth/read-only.js";
import { logClientClosed } from "../client-closed.js";
import { clientGone } from "../client-gone.js";
import { describeError } from "../errors.js";
import { errorResponses, readActingBody } from "../route.js";
import { BusinessFrame, PlaygroundFrame, businessChatRequest, playgroundChatRequest } from "../schemas/chat-streams.js";
import { frameOf, toChatRequest } from "./chat.js";

const send = (stream: SSEStreamingApi, frame: PlaygroundFrame | BusinessFrame) => stream.writeSSE({ data: JSON.stringify(frame) });

/** Compares digests in constant time, so that the time an answer takes says nothing about a key. */
function keyMatches(given: string, keys: readonly string[]): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  const wanted = digest(given);
  let found = false;
  for (const key of keys) found = timingSafeEqual(wanted, digest(key)) || found;
  return found;
}

function registerStream(
  app: App,
  path: string,
  summary: string,
  description: string,
  schema: Parameters<typeof createRoute>[0]["request"],
  frame: typeof PlaygroundFrame | typeof BusinessFrame,
) {
  app.openAPIRegistry.registerPath(
    createRoute({
      method: "post",
      path,
      tags: ["chat"],
      summary,
      description,
      ...(schema && { request: schema }),
      responses: {
        200: { description: "An event stream", content: { "text/event-stream": { schema: frame } } },
        ...errorResponses(),
      },
    }),
  );
}

export function chatStreamRoutes(app: App, deps: ChatDeps, limits: Limits, businessKeys: readonly string[]): void {
  const playground = { body: playgroundChatRequest(limits), actor: "user_id" } as const;
  const business = { body: businessChatRequest(limits), actor: "user_id" } as const;

  registerStream(
    app,
    "/product/chat/stream/playground",
    "chat/stream for the playground: also the preferences shown and suggested next questions",
    "Frames, each `data: <json>\\n\\n`: status 0 → status 1 → reference → pref_md_string (with include_preference) → status 2 → reasoning… → text… → time → suggestion → end. Errors before the first frame are JSON responses; later ones are an `error` frame.",
    { body: { required: true, content: { "application/json": { schema: playground.body } } } },
    PlaygroundFrame,
  );
  app.post("/product/chat/stream/playground", readOnlyRoute, async (c) => {
    const body = await readActingBody(c, playground, limits);
    const request = toChatRequest(body, limits, mayWrite(c), c);
    const prepared = await prepareChat(deps, request);
    const controller = clientGone(c);
    const language = promptLanguage(request.query);
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => controller.abort());
      try {
        let answer = "";
        for await (const event of runChat(deps, prepared, { stream: true, signal: controller.signal })) {
          if (event.type === "text") answer += event.text;
          if (event.type === "time") {
            const data = { total_time: event.totalTime, speed_improvement: "n/a", search_time: event.searchTime, first_token_time: event.firstTokenTime };
            await send(stream, { type: "time", data });
            continue;
          }
          await send(stream, frameOf(event) as PlaygroundFrame);
          if (event.type === "reference" && request.includePreference) {
            await send(stream, { type: "pref_md_string", data: preferenceMarkdown(event.memories, language) });
          }
        }
        await send(stream, {
          type: "suggestion",
          data: await nextQuestions(c, deps, request.userId, prepared.cubesToSearch[0] ?? request.userId, request.query, answer, controller.signal),
        });
        await send(stream, { type: "end" });
      } catch (error) {
        if (controller.signal.aborted) return logClientClosed(c, "left mid-stream");
        const message = describeError(error, c);
        await send(stream, { type: "error", data: message, content: message });
      }
    });
  });

  registerStream(
    app,
    "/product/chat/stream/business_user",
    "chat/stream for business clients: needs a business_key of BUSINESS_CHAT_KEYS; recalls memories only with need_search",
    "Frames, each `data: <json>\\n\\n`: reasoning… → text…, as MemOS sends them (no status, reference, time or end frame); a failure after the first frame is an `error` frame with `content`. An unknown business_key is a 403.",
    { body: { required: true, content: { "application/json": { schema: business.body } } } },
    BusinessFrame,
  );
  app.post("/product/chat/stream/business_user", readOnlyRoute, async (c) => {
    const body = await readActingBody(c, business, limits);
    if (!keyMatches(body.business_key, businessKeys)) {
      throw new ApiError(403, "Access denied: Invalid business_key. You do not have permission to use this service.");
    }
    const prepared = await prepareChat(deps, { ...toChatRequest(body, limits, mayWrite(c), c), recall: body.need_search });
    const controller = clientGone(c);
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => controller.abort());
      try {
        for await (const event of runChat(deps, prepared, { stream: true, signal: controller.signal })) {
          if (event.type === "text" || event.type === "reasoning") await send(stream, { type: event.type, data: event.text });
        }
      } catch (error) {
        if (controller.signal.aborted) return logClientClosed(c, "left mid-stream");
        await send(stream, { type: "error", content: describeError(error, c) });
      }
    });
  });
}

/** The playground's suggestion frame: questions following the turn; none when they cannot be made (the answer is already out). */
async function nextQuestions(
  c: Context<AppEnv>,
  deps: ChatDeps,
  userId: string,
  cubeId: string,
  query: string,
  answer: string,
  signal: AbortSignal,
): Promise<string[]> {
  try {
    return await suggestQuestions(deps, {
      userId,
      cubeId,
      language: promptLanguage(query),
      conversation: [
        { role: "user", content: query },
        { role: "assistant", content: answer },
      ],
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    c.get("logger").warn({ err: error }, "no suggestions for the playground chat");
    return [];
  }
}
