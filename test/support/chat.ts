/** Chat test helpers: a memcube server wired to the fake OpenAI-compatible model, and an SSE reader. */
import assert from "node:assert/strict";
import { startFakeOpenAI, textOf, type FakeOpenAI } from "./fake-openai.js";
import { startTestServer, type TestServer } from "./server.js";

export interface ChatRig {
  server: TestServer;
  llm: FakeOpenAI;
  close(): Promise<void>;
}

/** The MemOS example configuration, pointed at the fake model (two entries, two keys). */
export function modelList(apiBase: string, extra: Record<string, unknown>[] = []) {
  return [
    { backend: "qwen", api_base: apiBase, api_key: "sk-qwen-secret", model_name_or_path: "qwen2.5-72b-instruct", support_models: ["qwen2.5-72b-instruct"] },
    { backend: "deepseek", api_base: apiBase, api_key: "sk-deepseek-secret", model_name_or_path: "deepseek-r1", support_models: ["deepseek-r1"] },
    ...extra,
  ];
}

/** `extraModels` gets the fake model's API base, for entries of a test's own. */
export async function startChatRig(env: Record<string, string> = {}, extraModels: (apiBase: string) => Record<string, unknown>[] = () => []): Promise<ChatRig> {
  const llm = await startFakeOpenAI();
  const server = await startTestServer({ CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url, extraModels(llm.url))), ...env });
  return {
    server,
    llm,
    close: async () => {
      await server.cleanup();
      await llm.close();
    },
  };
}

/** The messages the model was shown in its latest request. */
export function lastPrompt(llm: FakeOpenAI): { role: string; content: string }[] {
  const body = llm.requests.at(-1)?.body;
  return (body?.messages ?? []).map((message) => ({ role: message.role, content: textOf(message.content) }));
}

export interface StreamResult {
  status: number;
  headers: Headers;
  raw: string;
  frames: { type: string; data?: unknown; content?: unknown }[];
}

/** POSTs to /product/chat/stream and reads the whole event stream. */
export async function chatStream(server: TestServer, body: unknown): Promise<StreamResult> {
  const response = await fetch(`${server.url}/product/chat/stream`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const raw = await response.text();
  const frames = response.headers.get("content-type")?.startsWith("text/event-stream")
    ? raw
        .split("\n\n")
        .filter((block) => block.trim() !== "")
        .map((block) => JSON.parse(block.replace(/^data: /, "")) as StreamResult["frames"][number])
    : [];
  return { status: response.status, headers: response.headers, raw, frames };
}

/**
 * The system prompt chat built for a question, asked in a session of its own (so that the
 * session's latest turns, working memory, are not part of what a test looks at), nothing stored.
 */
export async function promptFor(rig: ChatRig, userId: string, query: string): Promise<string> {
  const response = await rig.server.post("/product/chat/complete", { user_id: userId, query, session_id: "asking", add_message_on_answer: false });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return lastPrompt(rig.llm)[0]?.content ?? "";
}
