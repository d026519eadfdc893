/**
 * `memcube mcp` over stdio, as Claude Desktop or an IDE launches it: the real process (bin/memcube.mjs)
 * driven by the SDK's own Client, on a local store of its own, and with --url through a running server.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startChatRig, type ChatRig } from "../support/chat.js";
import { script, startFineRig, type FineRig } from "../support/extraction.js";
import { buildPdf } from "../support/pdf.js";
import { tempDataDir, type Json } from "../support/server.js";

/** The environment of a launched `memcube mcp`: this store, no keys or models of the test runner's own. */
const envFor = (dataDir: string): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !/^(MEMCUBE_|CHAT_MODEL_LIST)/.test(name)) env[name] = value;
  return { ...env, MEMCUBE_DATA_DIR: dataDir, LOG_LEVEL: "silent" };
};

async function launch(args: string[], dataDir: string): Promise<Client> {
  const client = new Client({ name: "memcube-test", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: ["bin/memcube.mjs", "mcp", ...args], env: envFor(dataDir), stderr: "pipe" }),
  );
  return client;
}

const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;

describe("memcube mcp on the local store", () => {
  let dataDir: string;
  before(() => {
    dataDir = tempDataDir();
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test("lists the tools; add then search finds the fact; another user's cube is refused", async () => {
    const alice = await launch(["--user", "alice"], dataDir);
    const { tools } = await alice.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), [
      "add_document",
      "add_memory",
      "delete_memory",
      "feedback",
      "get_memory",
      "list_cubes",
      "list_memories",
      "search_memory",
    ]);
    const added = await call(alice, "add_memory", { text: "I keep my bike in the courtyard shed" });
    assert.equal(added.isError, undefined, textOf(added));
    const found = await call(alice, "search_memory", { query: "where is the bike kept?" });
    assert.match(
      textOf(found),
      /^Memories in cube alice, most relevant first:\n- I keep my bike in the courtyard shed \(id [0-9a-f-]{36}, \d{4}-\d\d-\d\d, conversation/,
    );

    // A second process on the same store, for another user: alice's cube is not hers.
    const bob = await launch(["--user", "bob"], dataDir);
    await call(bob, "add_memory", { text: "Bob's bike is red" });
    const refused = await call(bob, "search_memory", { query: "bike", cube_ids: ["alice"] });
    assert.equal(refused.isError, true);
    assert.equal(textOf(refused), "user 'bob' may not read cube 'alice'");
    const deleteRefused = await call(bob, "delete_memory", { memory_ids: [(added.structuredContent as Json).added[0].id], cube_id: "alice" });
    assert.equal(textOf(deleteRefused), "user 'bob' may not write cube 'alice'");
    assert.match(textOf(await call(alice, "list_memories", {})), /courtyard shed/);
    await Promise.all([alice.close(), bob.close()]);
  });

  test("add_document stores a document in the local store; feedback without an extraction model says so", async () => {
    const alice = await launch(["--user", "alice"], dataDir);
    const stored = await call(alice, "add_document", { content: "# Wi-Fi\n\nThe guest network password is heron-42.\n", filename: "home.md" });
    assert.equal(stored.isError, undefined, textOf(stored));
    assert.deepEqual([(stored.structuredContent as Json).file_id, (stored.structuredContent as Json).chunk_count], ["home.md", 1]);
    assert.match(
      textOf(await call(alice, "search_memory", { query: "guest wifi password" })),
      /heron-42\. \(id [0-9a-f-]{36}, \d{4}-\d\d-\d\d, file, cube alice/,
    );
    const feedback = await call(alice, "feedback", { feedback: "The password changed to osprey-7" });
    assert.equal(feedback.isError, true);
    assert.match(textOf(feedback), /^feedback needs an extraction model/);
    await alice.close();
  });

  test("--read-only offers only the read tools", async () => {
    const reader = await launch(["--user", "alice", "--read-only"], dataDir);
    const { tools } = await reader.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), ["get_memory", "list_cubes", "list_memories", "search_memory"]);
    const { prompts } = await reader.listPrompts();
    assert.deepEqual(
      prompts.map((prompt) => prompt.name),
      ["what_do_you_know_about_me"],
    );
    await reader.close();
  });

  test("stdout carries JSON-RPC only: a garbled line and bad arguments are answered, and the process serves on", async () => {
    const child = spawn(process.execPath, ["bin/memcube.mjs", "mcp", "--user", "alice"], { env: envFor(dataDir), stdio: ["pipe", "pipe", "pipe"] });
    const lines = createInterface({ input: child.stdout });
    const received: Json[] = [];
    const waiters = new Map<number, (message: Json) => void>();
    lines.on("line", (line) => {
      const message = JSON.parse(line); // anything but JSON on stdout fails the test here
      received.push(message);
      if (typeof message.id === "number") waiters.get(message.id)?.(message);
    });
    const send = (message: Json) => child.stdin.write(`${JSON.stringify(message)}\n`);
    const request = (id: number, method: string, params: Json) =>
      new Promise<Json>((resolve) => {
        waiters.set(id, resolve);
        send({ jsonrpc: "2.0", id, method, params });
      });
    try {
      child.stdin.write("this is not json\n");
      const init = await request(1, "initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } });
      assert.equal(init.result.serverInfo.name, "memcube");
      send({ jsonrpc: "2.0", method: "notifications/initialized" });
      const bad = await request(2, "tools/call", { name: "list_memories", arguments: { page: "first", page_size: 1000 } });
      assert.equal(bad.result.isError, true);
      assert.match(bad.result.content[0].text, /page/);
      assert.match(bad.result.content[0].text, /page_size/);
      const wrongShape = await request(3, "tools/call", { name: "add_memory", arguments: "remember me" });
      assert.ok(wrongShape.error || wrongShape.result.isError);
      const listed = await request(4, "tools/call", { name: "list_cubes", arguments: {} });
      assert.match(listed.result.content[0].text, /^Your cubes:\n- alice/);
      assert.ok(received.every((message) => message.jsonrpc === "2.0"));
    } finally {
      child.stdin.end();
      await new Promise((resolve) => child.once("exit", resolve));
    }
    assert.equal(child.exitCode, 0);
  });

  test("a missing --user or a server that cannot be reached is said on stderr, and the process exits", async () => {
    const run = async (args: string[]) => {
      const child = spawn(process.execPath, ["bin/memcube.mjs", "mcp", ...args], { env: envFor(dataDir), stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise((resolve) => child.once("exit", resolve));
      return { code, stdout, stderr };
    };
    const noUser = await run([]);
    assert.deepEqual([noUser.code, noUser.stdout], [2, ""]);
    assert.match(noUser.stderr, /--user is required/);
    const down = await run(["--user", "alice", "--url", "http://127.0.0.1:9"]);
    assert.deepEqual([down.code, down.stdout], [1, ""]);
    assert.match(down.stderr, /cannot reach memcube at http:\/\/127\.0\.0\.1:9/);
  });
});

describe("memcube mcp --url: through a running server", () => {
  const KEYS = { "sk-dana-mcp-3c9e1f7a2b": "dana", "sk-eve-mcp-8d2a6c4e1f": "eve" };
  let rig: ChatRig;
  let scratch: string;
  before(async () => {
    rig = await startChatRig({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) });
    scratch = tempDataDir();
  });
  after(async () => {
    await rig.close();
    rmSync(scratch, { recursive: true, force: true });
  });
  const remote = (user: string, key: string) => launch(["--url", rig.server.url, "--user", user, "--api-key", key], scratch);

  test("the server's tools, chat included; add then search; the server's cube rules and messages", async () => {
    const dana = await remote("dana", "sk-dana-mcp-3c9e1f7a2b");
    const { tools } = await dana.listTools();
    assert.ok(tools.some((tool) => tool.name === "chat_with_memory"));
    const added = await call(dana, "add_memory", { messages: [{ role: "user", content: "My dentist is Dr. Moreau in Lyon" }], session_id: "health" });
    assert.equal((added.structuredContent as Json).added[0].cube_id, "dana");
    const found = await call(dana, "search_memory", { query: "who is my dentist?", top_k: 3 });
    assert.match(textOf(found), /Dr\. Moreau in Lyon \(id [0-9a-f-]{36}, \d{4}-\d\d-\d\d, conversation, cube dana, relevance/);
    const id = (added.structuredContent as Json).added[0].id as string;
    assert.match(textOf(await call(dana, "get_memory", { memory_id: id })), /session: health/);

    const chat = await call(dana, "chat_with_memory", { query: "Who is my dentist?" });
    assert.equal(chat.isError, undefined, textOf(chat));
    assert.match(textOf(chat), /^echo: Who is my dentist\?/);
    assert.match(textOf(chat), /Memories used:\n- My dentist is Dr\. Moreau/);

    const eve = await remote("eve", "sk-eve-mcp-8d2a6c4e1f");
    const refused = await call(eve, "list_memories", { cube_id: "dana" });
    assert.equal(textOf(refused), "user 'eve' may not read cube 'dana'");
    // A key acts for its own user only: the server refuses another, and says so.
    const impostor = await remote("dana", "sk-eve-mcp-8d2a6c4e1f");
    assert.equal(textOf(await call(impostor, "list_cubes", {})), "this API key may not act as user 'dana'");
    await Promise.all([dana.close(), eve.close(), impostor.close()]);
  });

  test("without --user, a user's key decides: the server says whose it is (GET /product/whoami)", async () => {
    const dana = await launch(["--url", rig.server.url, "--api-key", "sk-dana-mcp-3c9e1f7a2b"], scratch);
    assert.equal((await call(dana, "add_memory", { text: "I sing in a choir on Thursdays" })).isError, undefined);
    assert.match(textOf(await call(dana, "list_memories", {})), /choir on Thursdays/);
    const listed = await call(dana, "list_cubes", {});
    assert.match(textOf(listed), /\bdana\b/);
    await dana.close();
  });
});

describe("memcube mcp --url: feedback and add_document through a running server with an extraction model", () => {
  const KEYS = { "sk-ivo-mcp-2b4d6f8a1c": "ivo" };
  let rig: FineRig;
  let scratch: string;
  before(async () => {
    rig = await startFineRig({ MEMCUBE_API_KEYS: JSON.stringify(KEYS), MEMCUBE_DOCUMENT_MAX_BYTES: "4kb" });
    scratch = tempDataDir();
  });
  after(async () => {
    await rig.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  test("feedback corrects the memory on the server and lists the change; add_document answers the chunks with their pages, or the API's reason", async () => {
    const ivo = await launch(["--url", rig.server.url, "--user", "ivo", "--api-key", "sk-ivo-mcp-2b4d6f8a1c"], scratch);
    const added = await call(ivo, "add_memory", { text: "My bike is blue", mode: "fast" });
    const bike = (added.structuredContent as Json).added[0].id as string;
    script(rig.llm, { feedback: () => JSON.stringify({ operations: [{ op: "update", memory: 1, text: "The user's bike is green" }] }) });
    const corrected = await call(ivo, "feedback", { feedback: "I repainted my bike: it is green now", retrieved_memory_ids: [bike] });
    assert.equal(corrected.isError, undefined, textOf(corrected));
    assert.match(
      textOf(corrected),
      new RegExp(`^Feedback applied, 1 changed:\\n- updated: "The user's bike is green" \\(id [0-9a-f-]{36}; was "My bike is blue", id ${bike}\\)$`),
    );
    const listed = (await call(ivo, "list_memories", {})).structuredContent as Json;
    assert.deepEqual(
      listed.memories.map((memory: Json) => memory.memory),
      ["The user's bike is green"],
    );

    const pdf = buildPdf([["The warranty covers the frame."], ["Brakes are not covered."]]);
    const stored = await call(ivo, "add_document", { content_base64: Buffer.from(pdf).toString("base64"), filename: "warranty.pdf" });
    assert.equal(stored.isError, undefined, textOf(stored));
    const document = stored.structuredContent as Json;
    assert.deepEqual([document.cube_id, document.file_id, document.chunk_count, document.pages], ["ivo", "warranty.pdf", 2, [1, 2]]);
    assert.deepEqual(
      document.chunks.map((chunk: Json) => [chunk.page, chunk.preview]),
      [
        [1, "The warranty covers the frame."],
        [2, "Brakes are not covered."],
      ],
    );
    const broken = await call(ivo, "add_document", { content_base64: Buffer.from(pdf.subarray(0, 120)).toString("base64"), filename: "broken.pdf" });
    assert.match(textOf(broken), /^content_base64: file 'broken\.pdf' cannot be read: not a valid PDF/);
    const big = await call(ivo, "add_document", { content: "word ".repeat(2000), filename: "big.txt" });
    assert.equal(textOf(big), "content: file 'big.txt' is larger than the 4096-byte limit for a document (MEMCUBE_DOCUMENT_MAX_BYTES)");
    await ivo.close();
  });
});
