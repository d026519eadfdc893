/**
 * The CLI commands that talk to a running server through the client SDK: `add`, `search`,
 * `import`, `export` (and `chat`, in chat.ts). Options common to all: `--url` (MEMCUBE_URL, default
 * http://127.0.0.1:8001), `--user` (MEMCUBE_USER), `--api-key` (MEMCUBE_API_KEY).
 */
import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { MemcubeClient, MemcubeError, type AddInput } from "../client/index.js";
import { progressBar } from "./progress.js";

export interface CliIO {
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const standardIO = (): CliIO => ({ env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

export const CONNECTION_OPTIONS = {
  url: { type: "string" },
  user: { type: "string" },
  "api-key": { type: "string" },
} as const satisfies ParseArgsConfig["options"];

export const DEFAULT_URL = "http://127.0.0.1:8001";

/** A usage problem: the CLI prints the message and exits with 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * The client for the server and user the options name. Without `--user`, a user's API key decides:
 * the server says whose key it is (GET /product/whoami).
 */
export async function connect(values: { url?: string | undefined; user?: string | undefined; "api-key"?: string | undefined }, env: CliIO["env"]) {
  const baseUrl = values.url ?? env.MEMCUBE_URL ?? DEFAULT_URL;
  const apiKey = values["api-key"] ?? env.MEMCUBE_API_KEY;
  let userId = values.user ?? env.MEMCUBE_USER;
  if (!userId && apiKey) {
    const identity = await new MemcubeClient({ baseUrl, apiKey }).whoami().catch((error: unknown) => {
      throw explain(error, baseUrl);
    });
    if (identity.user_id === null) throw new UsageError("--user is required (or set MEMCUBE_USER): an admin key acts for no user of its own");
    userId = identity.user_id;
  }
  if (!userId) throw new UsageError("--user is required (or set MEMCUBE_USER, or give a user's --api-key / MEMCUBE_API_KEY)");
  const client = new MemcubeClient({ baseUrl, userId, apiKey });
  return { client, userId, baseUrl };
}

/** A network failure names the server, so "is it running?" is the obvious next question. */
export function explain(error: unknown, baseUrl: string): Error {
  // The server's 401 names the HTTP header; on the command line the key is an option.
  if (error instanceof MemcubeError && error.status === 401) {
    const problem = /unknown API key/.test(error.message) ? "the server does not know this API key" : "the server needs an API key";
    return new Error(`${problem}: pass --api-key <key> or set MEMCUBE_API_KEY`);
  }
  if (error instanceof MemcubeError || error instanceof UsageError) return error;
  if (error instanceof TypeError && /fetch failed/.test(error.message)) {
    return new Error(`cannot reach memcube at ${baseUrl} (is \`memcube serve\` running? --url / MEMCUBE_URL)`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

const cubes = (values: string[] | undefined) =>
  values && values.length > 0
    ? values.flatMap((value) =>
        value
          .split(",")
          .map((id) => id.trim())
          .filter(Boolean),
      )
    : undefined;

export async function addCommand(args: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...CONNECTION_OPTIONS,
      cube: { type: "string", multiple: true },
      session: { type: "string" },
      role: { type: "string" },
      mode: { type: "string" },
    },
  });
  const text = positionals.join(" ").trim();
  if (!text) throw new UsageError("usage: memcube add <text> [--cube id] [--session id] [--role user|assistant|system]");
  const { client, baseUrl } = await connect(values, io.env);
  const role = (values.role ?? "user") as "user" | "assistant" | "system";
  try {
    const added = await client.add({
      messages: [{ role, content: text }],
      writable_cube_ids: cubes(values.cube),
      session_id: values.session,
      mode: values.mode as AddInput["mode"],
    });
    for (const memory of added) io.stdout.write(`added ${memory.memory_id} to ${memory.cube_id}: ${memory.memory}\n`);
  } catch (error) {
    throw explain(error, baseUrl);
  }
}

export async function searchCommand(args: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, cube: { type: "string", multiple: true }, "top-k": { type: "string" }, json: { type: "boolean" } },
  });
  const query = positionals.join(" ").trim();
  if (!query) throw new UsageError("usage: memcube search <query> [--cube id] [--top-k N] [--json]");
  const { client, baseUrl } = await connect(values, io.env);
  try {
    const result = await client.search({
      query,
      readable_cube_ids: cubes(values.cube),
      ...(values["top-k"] !== undefined && { top_k: Number(values["top-k"]) }),
    });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    for (const bucket of [...result.text_mem, ...result.pref_mem, ...result.tool_mem, ...result.skill_mem]) {
      for (const memory of bucket.memories) {
        const line = [(memory.metadata.relativity ?? 0).toFixed(3), memory.ref_id, bucket.cube_id, memory.metadata.chat_time.slice(0, 10), memory.memory];
        io.stdout.write(`${line.join("  ")}\n`);
      }
    }
    const count = result.text_mem.reduce((sum, bucket) => sum + bucket.memories.length, 0);
    if (count === 0) io.stderr.write("no memories found\n");
  } catch (error) {
    throw explain(error, baseUrl);
  }
}

/** One line of an import file: a message (`content`), or an exported memory (`memory`). */
interface ImportLine {
  role?: unknown;
  content?: unknown;
  memory?: unknown;
  chat_time?: unknown;
  session_id?: unknown;
  message_id?: unknown;
}

type ImportMessage = { role: "user" | "assistant" | "system"; content: string; chat_time?: string; message_id?: string };

function parseLine(text: string, lineNumber: number): { session: string | undefined; message: ImportMessage } {
  let line: ImportLine;
  try {
    line = JSON.parse(text) as ImportLine;
  } catch {
    throw new Error(`line ${lineNumber}: not JSON`);
  }
  const content = typeof line.content === "string" ? line.content : typeof line.memory === "string" ? line.memory : undefined;
  if (content === undefined || content.trim() === "") throw new Error(`line ${lineNumber}: needs a "content" (or "memory") string`);
  const role = line.role === "assistant" || line.role === "system" ? line.role : "user";
  return {
    session: typeof line.session_id === "string" ? line.session_id : undefined,
    message: {
      role,
      content,
      ...(typeof line.chat_time === "string" && { chat_time: line.chat_time }),
      ...(typeof line.message_id === "string" && { message_id: line.message_id }),
    },
  };
}

/**
 * `memcube import <file.jsonl>`: one message per line (`{"role","content","chat_time"?,"session_id"?,
 * "message_id"?}`; what `export` writes is accepted too), added in batches per session. Lines with a
 * `message_id` the cube already holds are skipped by the server, so a broken import can be re-run.
 */
export async function importCommand(args: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, cube: { type: "string" }, batch: { type: "string" }, mode: { type: "string" }, session: { type: "string" } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError("usage: memcube import <file.jsonl> [--cube id] [--session id] [--batch N] [--mode fast|fine]");
  const { client, baseUrl, userId } = await connect(values, io.env);
  const cube = values.cube ?? userId;
  const batchSize = Math.min(1000, Math.max(1, Number(values.batch ?? "100") || 100));
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
  // The whole file is read before anything is sent: a bad line changes nothing.
  const parsed = lines.map((text, index) => parseLine(text, index + 1));
  let held: Set<string>;
  try {
    held = parsed.some(({ message }) => message.message_id !== undefined) ? await heldMessageIds(client, cube) : new Set();
  } catch (error) {
    throw explain(error, baseUrl);
  }
  // Messages the cube already holds (same message_id) are not sent again: a re-run costs no embedding.
  const toSend = parsed.filter(({ message }) => message.message_id === undefined || !held.has(message.message_id));
  const skipped = parsed.length - toSend.length;
  if (toSend.length === 0) {
    io.stderr.write(`nothing to import: ${cube} already holds all ${parsed.length} messages (same message_id)\n`);
    return;
  }
  const bar = progressBar(`importing into ${cube}`, toSend.length, io.stderr);
  let done = 0;
  let memories = 0;
  let pending: { session: string; messages: ImportMessage[] } | undefined;
  const flush = async () => {
    if (!pending || pending.messages.length === 0) return;
    const added = await client.add({
      writable_cube_ids: [cube],
      session_id: pending.session,
      messages: pending.messages,
      mode: values.mode as AddInput["mode"],
    });
    memories += added.length;
    done += pending.messages.length;
    pending = undefined;
    bar.update(done);
  };
  try {
    for (const { session = values.session ?? "default_session", message } of toSend) {
      if (pending && (pending.session !== session || pending.messages.length >= batchSize)) await flush();
      pending ??= { session, messages: [] };
      pending.messages.push(message);
    }
    await flush();
  } catch (error) {
    bar.finish();
    throw explain(error, baseUrl);
  }
  const skippedNote = skipped > 0 ? `; skipped ${skipped} it already holds (same message_id)` : "";
  bar.finish(`imported ${toSend.length} messages into ${cube} (${memories} memories)${skippedNote}`);
}

/** The message ids behind a cube's memories (none for a cube that does not exist yet). */
async function heldMessageIds(client: MemcubeClient, cube: string): Promise<Set<string>> {
  const held = new Set<string>();
  if (!(await client.cubes.exists({ mem_cube_id: cube }))) return held;
  const pageSize = 1000;
  for (let page = 1; ; page++) {
    const [listed] = await client.memories.getAll({ mem_cube_ids: [cube], page, page_size: pageSize });
    const nodes = listed?.memories[0]?.nodes ?? [];
    for (const node of nodes) for (const source of node.metadata.sources) if (source.message_id) held.add(source.message_id);
    if (nodes.length < pageSize) return held;
  }
}

/** `memcube export <cube>`: every active memory of the cube as JSONL (stdout, or `--out file`). */
export async function exportCommand(args: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, out: { type: "string", short: "o" }, "page-size": { type: "string" } },
  });
  const cube = positionals[0];
  if (!cube || positionals.length > 1) throw new UsageError("usage: memcube export <cube> [--out file.jsonl]");
  const { client, baseUrl } = await connect(values, io.env);
  const pageSize = Math.min(1000, Math.max(1, Number(values["page-size"] ?? "200") || 200));
  const out = values.out ? createWriteStream(values.out) : io.stdout;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  const bar = progressBar(`exporting ${cube}`, undefined, io.stderr); // drawn once the first page says how many
  let written = 0;
  try {
    for (let page = 1; ; page++) {
      const [listed] = await client.memories.getAll({ mem_cube_ids: [cube], page, page_size: pageSize });
      if (!listed) break;
      if (page === 1) bar.total(listed.total_nodes);
      const nodes = listed.memories[0]?.nodes ?? [];
      for (const memory of nodes) {
        const source = memory.metadata.sources[0];
        const line = {
          id: memory.id,
          role: source?.role ?? "user",
          content: memory.memory,
          chat_time: memory.metadata.chat_time,
          session_id: memory.metadata.session_id,
          memory_type: memory.metadata.memory_type,
          tags: memory.metadata.tags,
          created_at: memory.metadata.created_at,
          ...(source && { message_id: source.message_id }),
        };
        await write(`${JSON.stringify(line)}\n`);
        written++;
      }
      bar.update(written);
      if (nodes.length < pageSize) break;
    }
  } catch (error) {
    bar.finish();
    throw explain(error, baseUrl);
  } finally {
    if (out !== io.stdout) {
      out.end();
      await once(out, "finish");
    }
  }
  bar.finish(`exported ${written} memories from ${cube}${values.out ? ` to ${values.out}` : ""}`);
}
