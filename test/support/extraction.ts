/**
 * Fine-mode test helpers: a memcube server whose extraction model is the fake OpenAI server,
 * scripted per prompt kind (extraction or update step), and small readers of its results.
 */
import type { FakeOpenAI, RecordedBody } from "./fake-openai.js";
import { startFakeOpenAI, textOf } from "./fake-openai.js";
import { startTestServer, tempDataDir, type TestServer } from "./server.js";

/** What a scripted answer gets: the prompt, and how many turns it has (4 on the retry after a bad answer). */
export interface Prompt {
  system: string;
  user: string;
  turns: number;
  body: RecordedBody;
}

export interface ExtractionScript {
  /** The raw answer to an extraction prompt. Default: no memories. */
  extract?: (prompt: Prompt) => string;
  /** The raw answer to an update-step prompt. Default: no decisions (every memory is added). */
  update?: (prompt: Prompt) => string;
  /** The raw answer to a feedback prompt. Default: no operations (nothing changes). */
  feedback?: (prompt: Prompt) => string;
  delayMs?: number;
  /** Answers nothing until this settles (see the fake's `holdUntil`). */
  holdUntil?: Promise<unknown>;
}

const promptOf = (body: RecordedBody): Prompt => {
  const messages = body.messages ?? [];
  return {
    system: textOf(messages[0]?.content),
    user: textOf(messages[1]?.content),
    turns: messages.length,
    body,
  };
};

export const isFeedbackPrompt = (prompt: Prompt) => prompt.system.includes('"operations"');
export const isUpdatePrompt = (prompt: Prompt) => !isFeedbackPrompt(prompt) && prompt.system.includes('"decisions"');
export const isExtractionPrompt = (prompt: Prompt) => !isFeedbackPrompt(prompt) && prompt.system.includes('"memories"');

/** Every following request is answered by the script (chat requests get the usual echo). */
export function script(llm: FakeOpenAI, answers: ExtractionScript): void {
  llm.reply({
    delayMs: answers.delayMs ?? 0,
    ...(answers.holdUntil && { holdUntil: answers.holdUntil }),
    text: (body) => {
      const prompt = promptOf(body);
      if (isFeedbackPrompt(prompt)) return answers.feedback?.(prompt) ?? '{"operations": []}';
      if (isUpdatePrompt(prompt)) return answers.update?.(prompt) ?? '{"decisions": []}';
      if (isExtractionPrompt(prompt)) return answers.extract?.(prompt) ?? '{"memories": []}';
      const last = [...(body.messages ?? [])].reverse().find((message) => message.role === "user");
      return `echo: ${textOf(last?.content)}`;
    },
  });
}

/** The prompts the fake model received, of one kind. */
export function prompts(llm: FakeOpenAI, kind: "extract" | "update" | "feedback"): Prompt[] {
  const kinds = { extract: isExtractionPrompt, update: isUpdatePrompt, feedback: isFeedbackPrompt };
  return llm.requests.flatMap((request) => (request.body ? [promptOf(request.body)] : [])).filter(kinds[kind]);
}

export interface Item {
  memory: string;
  key?: string;
  tags?: string[];
  memory_type?: string;
  sources?: number[];
}

/** An extraction answer as the prompt asks for it. */
export const memories = (...items: Item[]) => JSON.stringify({ memories: items });

/** Fast job settings so that retries, polls and lease expiry take milliseconds. */
export const FAST_JOBS = {
  MEMCUBE_JOB_POLL_SECONDS: "0.02",
  MEMCUBE_JOB_RETRY_SECONDS: "0.05",
  MEMCUBE_JOB_LEASE_SECONDS: "1",
};

export function extractionEnv(llm: FakeOpenAI, extra: Record<string, string> = {}): Record<string, string> {
  return { MEMRADER_API_BASE: llm.url, MEMRADER_API_KEY: "sk-reader-secret", MEMRADER_MODEL: "reader-model", ...FAST_JOBS, ...extra };
}

export interface FineRig {
  server: TestServer;
  llm: FakeOpenAI;
  close(): Promise<void>;
}

export async function startFineRig(extra: Record<string, string> = {}, dataDir = tempDataDir()): Promise<FineRig> {
  const llm = await startFakeOpenAI();
  const server = await startTestServer(extractionEnv(llm, extra), dataDir);
  return {
    server,
    llm,
    close: async () => {
      await server.cleanup();
      await llm.close();
    },
  };
}

/** POST /product/scheduler/wait for the user, failing the test when it times out. */
export async function waitIdle(server: TestServer, userName: string, timeoutSeconds = 10): Promise<void> {
  const response = await server.post(
    `/product/scheduler/wait?user_name=${encodeURIComponent(userName)}&timeout_seconds=${timeoutSeconds}&poll_interval=0.02`,
    {},
  );
  if (response.body?.message !== "idle") throw new Error(`scheduler not idle: ${JSON.stringify(response.body)}`);
}

export async function taskStatus(server: TestServer, userId: string, taskId: string): Promise<{ task_id: string; status: string; error?: string }> {
  const response = await server.get(`/product/scheduler/status?user_id=${encodeURIComponent(userId)}&task_id=${encodeURIComponent(taskId)}`);
  return response.body.data[0];
}

/** The texts of a user's active memories (get_all, text and preference memories). */
export async function activeTexts(server: TestServer, userId: string, cubeId = userId): Promise<string[]> {
  const text = await server.post("/product/get_all", { user_id: userId, mem_cube_ids: [cubeId] });
  const preference = await server.post("/product/get_all", { user_id: userId, mem_cube_ids: [cubeId], memory_type: "pref_mem" });
  return [...text.body.data[0].memories[0].nodes, ...preference.body.data[0].memories[0].nodes].map((memory: { memory: string }) => memory.memory).sort();
}
