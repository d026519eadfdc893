/**
 * OpenAI's chat-completions wire format over the same chat pipeline as /product/chat/*: point any
 * OpenAI client's `baseURL` at memcube + `/v1` and its chats get the user's memories. Errors on
 * `/v1/*` are in OpenAI's shape (`{"error": {message, type, param, code}}`), so OpenAI SDKs raise
 * their usual exceptions.
 */
import { createRoute } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { streamSSE } from "hono/streaming";
import type { Limits } from "../../config/index.js";
import { loadTokenCounter } from "../../chat/budget.js";
import type { TokenUsage } from "../../chat/token-quota.js";
import { prepareChat, runChat, type ChatDeps, type ChatRequest, type PreparedChat } from "../../chat/pipeline.js";
import { memoryLine, type PromptMemory } from "../../chat/prompt.js";
import type { ChatMessage } from "../../llm/chat-model.js";
import { UnknownModelError } from "../../llm/errors.js";
import { ApiError } from "../api-error.js";
import type { App, AppEnv } from "../app-env.js";
import { admitActingUser } from "../acting-user.js";
import { mayWrite, readOnlyRoute } from "../auth/read-only.js";
import { describeError } from "../errors.js";
import { ID_PROBLEM, isValidId, Label, normalizeId } from "../schemas/common.js";
import { decodeHeaderStrictly, InvalidUtf8Error } from "../utf8.js";
import {
  OpenAIChatChunk,
  OpenAIChatCompletion,
  OpenAIError,
  OpenAIModelList,
  openAIChatRequest,
  type OpenAIChatBody,
  type OpenAIErrorBody,
  type OpenAIMessage,
} from "../schemas/openai.js";
import { readBody } from "../validation.js";
import { clientGone } from "../client-gone.js";
import { logClientClosed } from "../client-closed.js";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  409: "conflict_error",
  413: "invalid_request_error",
  422: "invalid_request_error",
  429: "rate_limit_error",
};

/** An error answered in OpenAI's shape, with OpenAI's `code` when there is one (e.g. `model_not_found`). */
class OpenAIApiError extends ApiError {
  constructor(
    status: 400 | 403 | 404,
    message: string,
    readonly code: string | null,
    readonly param: string | null = null,
  ) {
    super(status, message);
  }
}

function openAIError(status: number, message: string, code: string | null = null, param: string | null = null): OpenAIErrorBody {
  return { error: { message, type: ERROR_TYPES[status] ?? (status >= 500 ? "server_error" : "invalid_request_error"), param, code } };
}

/** The field a validation error names (`messages.0.content`), as OpenAI's `param`. */
function paramOf(detail: unknown): string | null {
  const loc = Array.isArray(detail) ? (detail[0] as { loc?: unknown } | undefined)?.loc : undefined;
  if (!Array.isArray(loc) || loc[0] !== "body" || loc.length < 2) return null;
  return loc.slice(1).join(".");
}

/**
 * Rewrites the envelope errors of `/v1/*` (auth, validation, body limit, cube access, upstream…)
 * into OpenAI's error shape, keeping the status. Registered before authentication so a 401 is
 * rewritten too.
 */
export function openAIErrorShape(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.res.status < 400 || !c.res.headers.get("content-type")?.includes("application/json")) return;
    const body = (await c.res
      .clone()
      .json()
      .catch(() => undefined)) as { error?: unknown; message?: unknown; detail?: unknown } | undefined;
    if (!body || body.error !== undefined || typeof body.message !== "string") return;
    const status = c.res.status;
    const headers = new Headers(c.res.headers);
    headers.delete("content-length");
    c.res = new Response(JSON.stringify(openAIError(status, body.message, null, paramOf(body.detail))), { status, headers });
  };
}

const textOf = (content: OpenAIMessage["content"]): string =>
  typeof content === "string" ? content : (content ?? []).flatMap((part) => (typeof part.text === "string" ? [part.text] : [])).join("\n");

const splitHeader = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== "");

function idsFrom(header: string, value: string | undefined): string[] | undefined {
  const ids = splitHeader(value)?.map(normalizeId);
  if (ids === undefined) return undefined;
  if (ids.length === 0) throw new OpenAIApiError(400, `${header}: must name at least one cube`, "invalid_value", header);
  const bad = ids.find((id) => !isValidId(id));
  if (bad !== undefined) throw new OpenAIApiError(400, `${header}: '${bad}' ${ID_PROBLEM}`, "invalid_value", header);
  return [...new Set(ids)];
}

const SESSION_HEADER = "x-memcube-session-id";

/** The session the header names (undefined: none, or empty), checked as a body's `session_id` is. */
function sessionFrom(c: Context<AppEnv>): string | undefined {
  const raw = c.req.header(SESSION_HEADER);
  if (raw === undefined) return undefined;
  let session: string;
  try {
    session = decodeHeaderStrictly(raw).trim();
  } catch (error) {
    if (error instanceof InvalidUtf8Error) throw new OpenAIApiError(400, `${SESSION_HEADER}: ${error.message}`, "invalid_value", SESSION_HEADER);
    throw error;
  }
  if (session === "") return undefined;
  const checked = Label.safeParse(session);
  if (!checked.success) {
    throw new OpenAIApiError(400, `${SESSION_HEADER}: ${checked.error.issues[0]?.message ?? "invalid"}`, "invalid_value", SESSION_HEADER);
  }
  return checked.data;
}

/** The acting user: the body's `user`, else `x-memcube-user`, else the API key's own user. */
function actingUser(c: Context<AppEnv>, body: OpenAIChatBody): string {
  const principal = c.get("principal");
  const given = body.user?.trim() || c.req.header("x-memcube-user")?.trim() || (principal.kind === "user" ? principal.userId : undefined);
  const user = given === undefined ? undefined : normalizeId(given);
  if (!user) {
    throw new OpenAIApiError(
      400,
      "no user: send the request's `user` field or an `x-memcube-user` header naming whose memories to use",
      "missing_user",
      "user",
    );
  }
  if (!isValidId(user)) throw new OpenAIApiError(400, `user: ${ID_PROBLEM}`, "invalid_value", "user");
  admitActingUser(c, user);
  return user;
}

/**
 * The OpenAI request as a chat: leading system (or developer) messages are the system prompt (the
 * memories are appended), the last user message is the query, the messages between are the history.
 */
export function toChatRequest(c: Context<AppEnv>, body: OpenAIChatBody, limits: Limits): ChatRequest {
  const userId = actingUser(c, body);
  const messages = body.messages;
  let start = 0;
  const system: string[] = [];
  while (start < messages.length && (messages[start]?.role === "system" || messages[start]?.role === "developer")) {
    system.push(textOf(messages[start]?.content));
    start++;
  }
  let last = -1;
  for (let index = messages.length - 1; index >= start; index--) {
    if (messages[index]?.role === "user") {
      last = index;
      break;
    }
  }
  const query = last === -1 ? "" : textOf(messages[last]?.content);
  if (query.trim() === "")
    throw new OpenAIApiError(400, "messages: the last user message is the query and must not be missing or empty", "invalid_value", "messages");
  if (query.length > limits.charsPerMessage) {
    throw new OpenAIApiError(400, `messages: the last user message is longer than ${limits.charsPerMessage} characters`, "invalid_value", "messages");
  }
  const history: ChatMessage[] = messages
    .slice(start, last)
    .flatMap((message) => {
      const role = message.role === "developer" ? "system" : message.role;
      if (role !== "system" && role !== "user" && role !== "assistant") return []; // tool results are not conversation
      const content = textOf(message.content);
      return content.trim() === "" ? [] : [{ role, content }];
    })
    .slice(-limits.historyMessages);
  const readable = idsFrom("x-memcube-readable-cubes", c.req.header("x-memcube-readable-cubes")) ?? [userId];
  const writable = idsFrom("x-memcube-writable-cubes", c.req.header("x-memcube-writable-cubes")) ?? [userId];
  const session = sessionFrom(c);
  return {
    userId,
    query,
    readableCubeIds: readable,
    writableCubeIds: writable,
    history,
    systemPrompt: system.length > 0 ? system.join("\n\n") : undefined,
    topK: 10,
    sessionId: session ?? "default_session",
    modelName: body.model,
    temperature: body.temperature ?? undefined,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    topP: body.top_p ?? undefined,
    addMessageOnAnswer: mayWrite(c), // a read-only key's chats write nothing back
    threshold: 0.5,
    includePreference: true,
    preferenceTopK: 6,
  };
}

async function prepare(deps: ChatDeps, request: ChatRequest): Promise<PreparedChat> {
  try {
    return await prepareChat(deps, request);
  } catch (error) {
    if (error instanceof UnknownModelError) {
      throw new OpenAIApiError(
        404,
        `The model '${error.requested}' does not exist; configured models: ${error.available.join(", ") || "none"}`,
        "model_not_found",
        "model",
      );
    }
    throw error;
  }
}

/**
 * The chat's token counts: the model's own when the pipeline has them (reported, or estimated over
 * the messages sent, as the daily token quota counts them), else estimated with the cl100k tokenizer.
 */
async function usageOf(request: ChatRequest, memories: readonly PromptMemory[], answer: string, counted?: TokenUsage) {
  if (counted) {
    return { prompt_tokens: counted.promptTokens, completion_tokens: counted.completionTokens, total_tokens: counted.promptTokens + counted.completionTokens };
  }
  const count = await loadTokenCounter();
  const prompt = [
    request.systemPrompt ?? "",
    ...request.history.map((message) => message.content),
    request.query,
    ...memories.map((memory, index) => memoryLine(index + 1, memory)),
  ];
  const promptTokens = prompt.reduce((sum, text) => sum + count(text) + 4, 0);
  const completionTokens = count(answer);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

export function openAIRoutes(app: App, deps: ChatDeps, limits: Limits): void {
  const errors = Object.fromEntries(
    [400, 401, 403, 404, 413, 500, 502, 503].map((status) => [
      status,
      { description: "An error, in OpenAI's shape", content: { "application/json": { schema: OpenAIError } } },
    ]),
  );
  app.openAPIRegistry.registerPath(
    createRoute({
      method: "post",
      path: "/v1/chat/completions",
      tags: ["openai"],
      summary: "OpenAI-compatible chat completions with the user's memories (streaming with `stream: true`)",
      description:
        "The user is `user` or the `x-memcube-user` header; `x-memcube-readable-cubes` / `x-memcube-writable-cubes` (comma-separated) choose the cubes, default the user's own; `x-memcube-session-id` the session. The turn is remembered.",
      request: { body: { required: true, content: { "application/json": { schema: openAIChatRequest } } } },
      responses: {
        200: {
          description: "A chat completion, or with `stream: true` an event stream of chunks ending `data: [DONE]`",
          content: { "application/json": { schema: OpenAIChatCompletion }, "text/event-stream": { schema: OpenAIChatChunk } },
        },
        ...errors,
      },
    }),
  );
  app.post("/v1/chat/completions", readOnlyRoute, async (c) => {
    const body = await readBody(c, openAIChatRequest, limits);
    let request: ChatRequest;
    let prepared: PreparedChat;
    try {
      request = toChatRequest(c, body, limits);
      prepared = await prepare(deps, request);
    } catch (error) {
      if (!(error instanceof OpenAIApiError)) throw error;
      return c.json(openAIError(error.status, error.message, error.code, error.param), error.status);
    }
    const controller = clientGone(c);
    const id = `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model?.trim() || (deps.models.defaultName ?? prepared.model.model);

    if (!body.stream) {
      let content = "";
      let reasoning = "";
      let memories: PromptMemory[] = [];
      let counted: TokenUsage | undefined;
      for await (const event of runChat(deps, prepared, { stream: false, signal: controller.signal })) {
        if (event.type === "text") content += event.text;
        if (event.type === "reasoning") reasoning += event.text;
        if (event.type === "reference") memories = event.memories;
        if (event.type === "time") counted = event.usage;
      }
      const completion: OpenAIChatCompletion = {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content, refusal: null, ...(reasoning && { reasoning_content: reasoning }) },
            finish_reason: "stop",
            logprobs: null,
          },
        ],
        usage: await usageOf(request, memories, reasoning + content, counted),
      };
      return c.json(completion);
    }

    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => controller.abort());
      const send = (delta: OpenAIChatChunk["choices"][number]["delta"], finish: "stop" | null = null) =>
        stream.writeSSE({
          data: JSON.stringify({
            id,
            object: "chat.completion.chunk",
            created,
            model,
            choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
          } satisfies OpenAIChatChunk),
        });
      try {
        let answer = "";
        let memories: PromptMemory[] = [];
        await send({ role: "assistant", content: "" });
        let counted: TokenUsage | undefined;
        for await (const event of runChat(deps, prepared, { stream: true, signal: controller.signal })) {
          if (event.type === "reference") memories = event.memories;
          if (event.type === "time") counted = event.usage;
          if (event.type === "reasoning") {
            answer += event.text;
            await send({ reasoning_content: event.text });
          }
          if (event.type === "text") {
            answer += event.text;
            await send({ content: event.text });
          }
        }
        await send({}, "stop");
        if (body.stream_options?.include_usage) {
          const usage = await usageOf(request, memories, answer, counted);
          await stream.writeSSE({
            data: JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage } satisfies OpenAIChatChunk),
          });
        }
        await stream.writeSSE({ data: "[DONE]" });
      } catch (error) {
        if (controller.signal.aborted) return logClientClosed(c, "left mid-stream");
        await stream.writeSSE({ data: JSON.stringify(openAIError(502, describeError(error, c))) });
      }
    });
  });

  app.openAPIRegistry.registerPath(
    createRoute({
      method: "get",
      path: "/v1/models",
      tags: ["openai"],
      summary: "The configured chat models, OpenAI style (the default first)",
      responses: { 200: { description: "Success", content: { "application/json": { schema: OpenAIModelList } } }, ...errors },
    }),
  );
  app.get("/v1/models", readOnlyRoute, (c) => {
    const names = deps.models.names();
    const ordered = deps.models.defaultName === undefined ? names : [deps.models.defaultName, ...names.filter((name) => name !== deps.models.defaultName)];
    return c.json({ object: "list" as const, data: ordered.map((name) => ({ id: name, object: "model" as const, created: 0, owned_by: "memcube" })) });
  });
}
