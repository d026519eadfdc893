/**
 * The MCP server over Streamable HTTP at /mcp, as an agent reaches it: the SDK's own Client against a
 * real memcube on loopback with API keys (and one in open mode).
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";
import { prompts, script, startFineRig, type FineRig, type Prompt } from "../support/extraction.js";
import { buildPdf } from "../support/pdf.js";
import { startTestServer, tempDataDir, type Json, type TestServer } from "../support/server.js";

const KEYS = {
  "sk-alice-mcp-5f1d0c9e7a2b": "alice",
  "sk-bob-mcp-0b8e6f3a9c1d2e": "bob",
  "sk-alice-read-9e7a2b4c68f1": { user: "alice", access: "read" },
  "sk-admin-mcp-7c2e9b4f1a6d": "*",
};
const ALL_TOOLS = ["add_document", "add_memory", "delete_memory", "feedback", "get_memory", "list_cubes", "list_memories", "search_memory"];
const READ_TOOLS = ["get_memory", "list_cubes", "list_memories", "search_memory"];

let server: TestServer;
before(async () => {
  server = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify(KEYS) }, tempDataDir());
});
after(() => server.cleanup());

async function connect(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "memcube-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }));
  return client;
}

const as = (key: string) => connect(server.url, { authorization: `Bearer ${key}` });
const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;

/** A raw JSON-RPC POST to /mcp, as a client without the SDK sends it. */
function rawPost(headers: Record<string, string>, body: unknown = { jsonrpc: "2.0", id: 1, method: "tools/list" }) {
  return fetch(`${server.url}/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
}

/** fetch sets Host itself: a request that names another host (as a rebound page's does) needs node:http. */
function postWithHost(host: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${server.url}/mcp`);
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: "/mcp",
        method: "POST",
        headers: { ...headers, host, "content-type": "application/json", accept: "application/json, text/event-stream" },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

describe("MCP over Streamable HTTP", () => {
  test("lists the tools, with truthful annotations; no chat tool without a chat model", async () => {
    const alice = await as("sk-alice-mcp-5f1d0c9e7a2b");
    const { tools } = await alice.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), ALL_TOOLS);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    assert.equal(byName.get("search_memory")?.annotations?.readOnlyHint, true);
    assert.equal(byName.get("add_memory")?.annotations?.readOnlyHint, false);
    assert.equal(byName.get("add_memory")?.annotations?.destructiveHint, false);
    assert.equal(byName.get("delete_memory")?.annotations?.destructiveHint, true);
    // feedback may delete or rewrite memories, and twice may change them twice; a document's new content replaces its old chunks.
    assert.deepEqual([byName.get("feedback")?.annotations?.destructiveHint, byName.get("feedback")?.annotations?.idempotentHint], [true, false]);
    assert.deepEqual([byName.get("add_document")?.annotations?.destructiveHint, byName.get("add_document")?.annotations?.idempotentHint], [true, true]);
    assert.deepEqual(byName.get("feedback")?.inputSchema.required, ["feedback"]);
    assert.equal(byName.get("add_document")?.inputSchema.required, undefined);
    assert.deepEqual(byName.get("search_memory")?.inputSchema.required, ["query"]);
    assert.equal(byName.get("list_cubes")?.inputSchema.required, undefined);
    await alice.close();
  });

  test("add then search finds the fact, with id, date, source and relevance; list, get and delete it", async () => {
    const alice = await as("sk-alice-mcp-5f1d0c9e7a2b");
    const added = await call(alice, "add_memory", { text: "My sister Anna lives in Bolzano" });
    assert.equal(added.isError, undefined, textOf(added));
    const id = (added.structuredContent as Json).added[0].id as string;
    assert.equal((added.structuredContent as Json).added[0].cube_id, "alice");

    const found = await call(alice, "search_memory", { query: "Where does Anna live?" });
    assert.equal(found.isError, undefined, textOf(found));
    const line = textOf(found)
      .split("\n")
      .find((row) => row.includes("Bolzano"));
    assert.match(
      line ?? "",
      new RegExp(`^- My sister Anna lives in Bolzano \\(id ${id}, \\d{4}-\\d\\d-\\d\\d, conversation, cube alice, relevance [01]\\.\\d\\d\\)$`),
    );
    const hit = (found.structuredContent as Json).results[0].memories[0];
    assert.equal(hit.id, id);
    assert.ok(hit.relevance > 0 && hit.relevance <= 1);

    const listed = await call(alice, "list_memories", { page_size: 5 });
    assert.equal((listed.structuredContent as Json).total, 1);
    assert.match(textOf(listed), /^Cube alice: 1 memories; page 1 of 1\./);
    const got = await call(alice, "get_memory", { memory_id: id });
    assert.equal((got.structuredContent as Json).memory.memory, "My sister Anna lives in Bolzano");
    const cubes = await call(alice, "list_cubes", {});
    assert.deepEqual(
      (cubes.structuredContent as Json).cubes.map((cube: Json) => [cube.cube_id, cube.access, cube.memory_count]),
      [["alice", "owner", 1]],
    );

    const deleted = await call(alice, "delete_memory", { memory_ids: [id] });
    assert.equal((deleted.structuredContent as Json).deleted, 1);
    const gone = await call(alice, "get_memory", { memory_id: id });
    assert.equal(gone.isError, true);
    assert.match(textOf(gone), /not found/);
    await alice.close();
  });

  test("another user's cube is refused, with the API's message, and nothing is written there", async () => {
    const alice = await as("sk-alice-mcp-5f1d0c9e7a2b");
    await call(alice, "add_memory", { text: "Alice's locker code is 4711" });
    const bob = await as("sk-bob-mcp-0b8e6f3a9c1d2e");
    const search = await call(bob, "search_memory", { query: "locker code", cube_ids: ["alice"] });
    assert.equal(search.isError, true);
    assert.equal(textOf(search), "user 'bob' may not read cube 'alice'");
    const write = await call(bob, "add_memory", { text: "planted by bob", cube_id: "alice" });
    assert.equal(write.isError, true);
    assert.equal(textOf(write), "user 'bob' may not write cube 'alice'");
    const list = await call(bob, "list_memories", { cube_id: "alice" });
    assert.equal(list.isError, true);
    const own = await call(alice, "search_memory", { query: "planted by bob" });
    assert.doesNotMatch(textOf(own), /planted/);
    // The key's user is the session's: a key may not name another.
    const impostor = await rawPost({ authorization: "Bearer sk-bob-mcp-0b8e6f3a9c1d2e", "x-memcube-user": "alice" });
    assert.equal(impostor.status, 403);
    assert.match(((await impostor.json()) as Json).message, /may not act as user 'alice'/);
    await Promise.all([alice.close(), bob.close()]);
  });

  test("each readable cube's latest memories are a resource; another user's cube is not", async () => {
    const alice = await as("sk-alice-mcp-5f1d0c9e7a2b");
    const { resources } = await alice.listResources();
    assert.deepEqual(
      resources.map((resource) => resource.uri),
      ["memcube://cubes/alice/memories"],
    );
    const read = await alice.readResource({ uri: "memcube://cubes/alice/memories" });
    const text = read.contents[0] && "text" in read.contents[0] ? read.contents[0].text : "";
    assert.match(text, /^Cube alice: the newest \d+ of \d+ memories\.\n- /);
    const bob = await as("sk-bob-mcp-0b8e6f3a9c1d2e");
    await assert.rejects(bob.readResource({ uri: "memcube://cubes/alice/memories" }), /user 'bob' may not read cube 'alice'/);
    await Promise.all([alice.close(), bob.close()]);
  });

  test("an admin key names the session's user in X-Memcube-User, and must name one", async () => {
    const admin = await connect(server.url, { authorization: "Bearer sk-admin-mcp-7c2e9b4f1a6d", "x-memcube-user": "alice" });
    assert.match(textOf(await call(admin, "search_memory", { query: "locker code" })), /4711/);
    await admin.close();
    const unnamed = await rawPost({ authorization: "Bearer sk-admin-mcp-7c2e9b4f1a6d" });
    assert.equal(unnamed.status, 400);
    assert.match(((await unnamed.json()) as Json).message, /^x-memcube-user: name the user/);
  });

  test("a read-only key gets only the read tools, and no write goes through", async () => {
    const reader = await as("sk-alice-read-9e7a2b4c68f1");
    const { tools } = await reader.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), READ_TOOLS);
    assert.ok(tools.every((tool) => tool.annotations?.readOnlyHint === true));
    const refused = await reader.callTool({ name: "add_memory", arguments: { text: "should not be stored" } });
    assert.equal(refused.isError, true);
    const found = await call(reader, "search_memory", { query: "locker code" });
    assert.match(textOf(found), /4711/);
    await reader.close();
  });

  test("a call without a key is refused with 401, as on every route", async () => {
    const response = await rawPost({});
    assert.equal(response.status, 401);
    assert.match(((await response.json()) as Json).message, /^authorization: missing API key/);
    await assert.rejects(connect(server.url, {}), /401|missing API key/);
  });

  test("malformed calls are answered with errors, and the server goes on serving", async () => {
    const alice = await as("sk-alice-mcp-5f1d0c9e7a2b");
    const noQuery = await alice.callTool({ name: "search_memory", arguments: { top_k: 0 } });
    assert.equal(noQuery.isError, true);
    assert.match(textOf(noQuery as CallToolResult), /query/);
    assert.match(textOf(noQuery as CallToolResult), /top_k/);
    const badFilter = await call(alice, "search_memory", { query: "x", filter: { colour: "red" } });
    assert.equal(badFilter.isError, true);
    assert.match(textOf(badFilter), /^filter\.colour: unknown filter field/);
    const nul = await call(alice, "add_memory", { text: "a\u0000b" });
    assert.equal(nul.isError, true);
    assert.match(textOf(nul), /must not contain NUL/);
    const both = await call(alice, "add_memory", { text: "a", messages: [{ role: "user", content: "b" }] });
    assert.equal(textOf(both), "pass either text or messages (one of them)");
    const unknown = await call(alice, "no_such_tool", {});
    assert.equal(unknown.isError, true);
    assert.match(textOf(unknown), /Tool no_such_tool not found/);
    const notJson = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { authorization: "Bearer sk-alice-mcp-5f1d0c9e7a2b", "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{not json",
    });
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as Json).error.code, -32700);
    const still = await call(alice, "list_cubes", {});
    assert.equal(still.isError, undefined);
    await alice.close();
  });

  test("feedback without an extraction model is a tool error with the API's message, and changes nothing", async () => {
    const alice = await as("sk-alice-mcp-5f1d0c9e7a2b");
    const before = ((await call(alice, "list_memories", {})).structuredContent as Json).total;
    const refused = await call(alice, "feedback", { feedback: "No, my locker code is 1234" });
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /^feedback needs an extraction model, and this server has none: set MEMRADER_API_BASE/);
    assert.equal(((await call(alice, "list_memories", {})).structuredContent as Json).total, before);
    await alice.close();
  });

  test("Origin and Host are checked against DNS rebinding; GET is 405 (stateless)", async () => {
    const key = { authorization: "Bearer sk-alice-mcp-5f1d0c9e7a2b" };
    const rebound = await rawPost({ ...key, origin: "http://evil.example:8001" });
    assert.equal(rebound.status, 403);
    assert.match(((await rebound.json()) as Json).message, /^origin: http:\/\/evil\.example:8001 may not call \/mcp/);
    assert.equal((await rawPost({ ...key, origin: "http://localhost:5173" })).status, 200);
    const port = new URL(server.url).port;
    const host = await postWithHost(`evil.example:${port}`, key);
    assert.equal(host.status, 403);
    assert.match(JSON.parse(host.body).message, /^host: evil\.example:\d+ is not a loopback name/);
    assert.equal((await postWithHost(`localhost:${port}`, key)).status, 200);
    const get = await fetch(`${server.url}/mcp`, { headers: { ...key, accept: "text/event-stream" } });
    assert.equal(get.status, 405);
  });
});

describe("MCP over HTTP in open mode", () => {
  let open: TestServer;
  before(async () => {
    open = await startTestServer({ MEMCUBE_MAX_MESSAGE_CHARS: "200" }, tempDataDir());
  });
  after(() => open.cleanup());

  test("the session's user is named in X-Memcube-User; without one the request is refused", async () => {
    const carol = await connect(open.url, { "x-memcube-user": "carol" });
    await call(carol, "add_memory", { text: "Carol plays the cello" });
    assert.match(textOf(await call(carol, "search_memory", { query: "cello" })), /cube carol/);
    // The server's limits hold as on /product/add, with the same message.
    const long = await call(carol, "add_memory", {
      messages: [
        { role: "user", content: "ok" },
        { role: "assistant", content: "x".repeat(201) },
      ],
    });
    assert.equal(textOf(long), "messages.1.content: longer than 200 characters (MEMCUBE_MAX_MESSAGE_CHARS)");
    assert.equal(((await call(carol, "list_memories", {})).structuredContent as Json).total, 1);
    await carol.close();
    const response = await fetch(`${open.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as Json).message, /^x-memcube-user: name the user/);
  });
});

describe("chat_with_memory over HTTP, with a chat model configured", () => {
  const CHAT_KEYS = { "sk-fay-mcp-1a2b3c4d5e": "fay", "sk-fay-read-6f7e8d9c0b": { user: "fay", access: "read" } };
  let rig: ChatRig;
  before(async () => {
    rig = await startChatRig({ MEMCUBE_API_KEYS: JSON.stringify(CHAT_KEYS) });
  });
  after(() => rig.close());

  test("answers from the memories and remembers the turn; a read-only key's chat remembers nothing", async () => {
    const fay = await connect(rig.server.url, { authorization: "Bearer sk-fay-mcp-1a2b3c4d5e" });
    const chatTool = (await fay.listTools()).tools.find((tool) => tool.name === "chat_with_memory");
    assert.equal(chatTool?.annotations?.readOnlyHint, false);
    await call(fay, "add_memory", { text: "My cat is called Miso" });
    const answer = await call(fay, "chat_with_memory", { query: "What is my cat called?" });
    assert.equal(answer.isError, undefined, textOf(answer));
    assert.match(textOf(answer), /^echo: What is my cat called\?\n\nMemories used:\n- My cat is called Miso \(id /);
    assert.ok(lastPrompt(rig.llm).some((message) => message.content.includes("My cat is called Miso")));
    const afterChat = (await call(fay, "list_memories", {})).structuredContent as Json;
    assert.equal(afterChat.total, 3, "the question and the answer are remembered");

    const reader = await connect(rig.server.url, { authorization: "Bearer sk-fay-read-6f7e8d9c0b" });
    const readerTool = (await reader.listTools()).tools.find((tool) => tool.name === "chat_with_memory");
    assert.equal(readerTool?.annotations?.readOnlyHint, true);
    await call(reader, "chat_with_memory", { query: "And my dog?" });
    assert.equal(((await call(fay, "list_memories", {})).structuredContent as Json).total, 3);
    const unknownModel = await call(fay, "chat_with_memory", { query: "hi", model: "no-such-model" });
    assert.equal(unknownModel.isError, true);
    assert.match(textOf(unknownModel), /^model: /);
    await Promise.all([fay.close(), reader.close()]);
  });
});

/** The number the feedback prompt gives the memory with this text. */
function numberIn(prompt: Prompt, text: string): number {
  const line = prompt.user.split("\n").find((entry) => entry.includes(JSON.stringify(text)));
  const number = /^\[(\d+)\]/.exec(line ?? "")?.[1];
  assert.ok(number, `the feedback prompt shows ${text}:\n${prompt.user}`);
  return Number(number);
}

const b64 = (content: string | Buffer) => Buffer.from(content).toString("base64");

describe("feedback and add_document over HTTP, with an extraction model", () => {
  const FINE_KEYS = { "sk-gil-mcp-4e5f6a7b8c": "gil", "sk-hal-mcp-9d8c7b6a5f": "hal", "sk-gil-read-1f2e3d4c5b": { user: "gil", access: "read" } };
  let rig: FineRig;
  before(async () => {
    rig = await startFineRig({ MEMCUBE_API_KEYS: JSON.stringify(FINE_KEYS), MEMCUBE_DOCUMENT_MAX_BYTES: "4kb" });
  });
  after(() => rig.close());
  const gilSession = () => connect(rig.server.url, { authorization: "Bearer sk-gil-mcp-4e5f6a7b8c" });
  const texts = async (client: Client) =>
    ((await call(client, "list_memories", { page_size: 100 })).structuredContent as Json).memories.map((memory: Json) => memory.memory).sort();

  test("feedback (sync by default) corrects the memories and lists what changed; the model is shown the feedback and the memories", async () => {
    const gil = await gilSession();
    const added = await call(gil, "add_memory", {
      messages: [
        { role: "user", content: "I prefer lively hotels" },
        { role: "user", content: "My cat is called Miso" },
      ],
      mode: "fast",
    });
    const [hotel, cat] = (added.structuredContent as Json).added.map((memory: Json) => memory.id as string);
    rig.llm.reset();
    script(rig.llm, {
      feedback: (prompt) =>
        JSON.stringify({
          operations: [
            { op: "update", memory: numberIn(prompt, "I prefer lively hotels"), text: "The user prefers quiet hotels" },
            { op: "delete", memory: numberIn(prompt, "My cat is called Miso") },
          ],
        }),
    });
    const result = await call(gil, "feedback", {
      feedback: "No, I like quiet hotels. And I have never had a cat.",
      retrieved_memory_ids: [hotel],
      history: [
        { role: "user", content: "Which hotel should I book in Porto?" },
        { role: "assistant", content: "The Grand Palace: it is lively, as you like." },
      ],
    });
    assert.equal(result.isError, undefined, textOf(result));
    const outcome = result.structuredContent as Json;
    assert.equal(outcome.status, "applied");
    assert.equal(outcome.updated.length, 1);
    assert.deepEqual(
      { memory: outcome.updated[0].memory, replaced_id: outcome.updated[0].replaced_id, replaced_memory: outcome.updated[0].replaced_memory },
      { memory: "The user prefers quiet hotels", replaced_id: hotel, replaced_memory: "I prefer lively hotels" },
    );
    assert.deepEqual(outcome.deleted, [{ id: cat, memory: "My cat is called Miso" }]);
    assert.deepEqual(outcome.added, []);
    const newId = outcome.updated[0].id as string;
    assert.equal(
      textOf(result),
      `Feedback applied, 2 changed:\n- updated: "The user prefers quiet hotels" (id ${newId}; was "I prefer lively hotels", id ${hotel})\n- deleted: "My cat is called Miso" (id ${cat})`,
    );
    const [prompt] = prompts(rig.llm, "feedback");
    assert.ok(prompt?.user.includes("No, I like quiet hotels. And I have never had a cat."));
    assert.ok(prompt?.user.includes('assistant: "The Grand Palace: it is lively, as you like."'));

    // The memory changed: what the agent reads next is the correction.
    assert.deepEqual(await texts(gil), ["The user prefers quiet hotels"]);
    assert.match(textOf(await call(gil, "search_memory", { query: "which hotels do I like?" })), /The user prefers quiet hotels \(id /);
    assert.match(textOf(await call(gil, "get_memory", { memory_id: cat })), /not found/);
    await gil.close();
  });

  test("feedback with async_mode 'async' answers at once; the correction lands in the background", async () => {
    const gil = await gilSession();
    await call(gil, "add_memory", { text: "I work at Acme", mode: "fast" });
    script(rig.llm, {
      feedback: (prompt) => JSON.stringify({ operations: [{ op: "update", memory: numberIn(prompt, "I work at Acme"), text: "The user works at Initech" }] }),
    });
    const queued = await call(gil, "feedback", { feedback: "I changed jobs: I work at Initech now", async_mode: "async" });
    assert.equal(queued.isError, undefined, textOf(queued));
    assert.equal((queued.structuredContent as Json).status, "queued");
    assert.match(textOf(queued), /^Feedback queued/);
    const deadline = Date.now() + 10_000;
    while (!(await texts(gil)).includes("The user works at Initech") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok((await texts(gil)).includes("The user works at Initech"));
    assert.ok(!(await texts(gil)).includes("I work at Acme"));
    await gil.close();
  });

  test("add_document stores text and PDF chunks, with file id and pages; search finds them as file memories", async () => {
    const gil = await gilSession();
    const notes = await call(gil, "add_document", {
      content: "# Boiler\n\nThe boiler in the cellar is serviced every October by Ferri & Figli.\n",
      filename: "house.md",
    });
    assert.equal(notes.isError, undefined, textOf(notes));
    const stored = notes.structuredContent as Json;
    assert.deepEqual([stored.cube_id, stored.file_id, stored.filename, stored.chunk_count, stored.pages], ["gil", "house.md", "house.md", 1, []]);
    assert.deepEqual(stored.chunks[0].heading_path, ["Boiler"]);
    assert.match(textOf(notes), /^Stored house\.md in cube gil \(file id house\.md\) as 1 chunk, searchable at once:\n- .*serviced every October/);
    const found = await call(gil, "search_memory", { query: "when is the boiler serviced?" });
    assert.match(textOf(found), /serviced every October by Ferri & Figli\. \(id [0-9a-f-]{36}, \d{4}-\d\d-\d\d, file, cube gil/);

    const pdf = buildPdf([["Chapter one: the lease runs until 2029."], ["Chapter two: pets are allowed."]]);
    const lease = await call(gil, "add_document", { content_base64: b64(pdf), filename: "lease.pdf", file_id: "lease-2026" });
    assert.equal(lease.isError, undefined, textOf(lease));
    const leaseDoc = lease.structuredContent as Json;
    assert.equal(leaseDoc.file_id, "lease-2026");
    assert.deepEqual(leaseDoc.pages, [1, 2]);
    assert.deepEqual(
      leaseDoc.chunks.map((chunk: Json) => chunk.page),
      [1, 2],
    );
    assert.match(textOf(lease), /as 2 chunks, from 2 pages/);
    assert.match(textOf(lease), /- Chapter two: pets are allowed\. \(p\. 2, id [0-9a-f-]{36}\)/);
    // The same file again changes nothing: the same chunks come back.
    const again = await call(gil, "add_document", { content_base64: b64(pdf), filename: "lease.pdf", file_id: "lease-2026" });
    assert.deepEqual(
      (again.structuredContent as Json).chunks.map((chunk: Json) => chunk.id),
      leaseDoc.chunks.map((chunk: Json) => chunk.id),
    );
    await gil.close();
  });

  test("add_document: unreadable and oversized files are tool errors with the API's reasons; nothing is stored", async () => {
    const gil = await gilSession();
    const before = await texts(gil);
    const broken = await call(gil, "add_document", { content_base64: b64(buildPdf([["cut short"]]).subarray(0, 120)), filename: "broken.pdf" });
    assert.equal(broken.isError, true);
    assert.match(textOf(broken), /^content_base64: file 'broken\.pdf' cannot be read: not a valid PDF/);
    const locked = await call(gil, "add_document", { content_base64: b64(buildPdf([["Salaries"]], { locked: true })), filename: "locked.pdf" });
    assert.match(textOf(locked), /^content_base64: file 'locked\.pdf' cannot be read: the PDF is password-protected/);
    const big = await call(gil, "add_document", { content: "word ".repeat(2000), filename: "big.txt" });
    assert.equal(big.isError, true);
    assert.equal(textOf(big), "content: file 'big.txt' is larger than the 4096-byte limit for a document (MEMCUBE_DOCUMENT_MAX_BYTES)");
    const noName = await call(gil, "add_document", { content_base64: b64("hello") });
    assert.equal(textOf(noName), "filename: name the file sent in content_base64 (e.g. 'handbook.pdf')");
    const url = await call(gil, "add_document", { content_base64: "https://example.com/a.pdf", filename: "a.pdf" });
    assert.equal(url.isError, true);
    assert.match(textOf(url), /expected base64 content/);
    assert.deepEqual(await texts(gil), before);
    await gil.close();
  });

  test("another user's cube is refused for both; a read-only key is offered neither", async () => {
    const hal = await connect(rig.server.url, { authorization: "Bearer sk-hal-mcp-9d8c7b6a5f" });
    const feedback = await call(hal, "feedback", { feedback: "Forget everything", cube_id: "gil" });
    assert.equal(textOf(feedback), "user 'hal' may not write cube 'gil'");
    const document = await call(hal, "add_document", { content: "planted by hal", cube_id: "gil" });
    assert.equal(textOf(document), "user 'hal' may not write cube 'gil'");
    const reader = await connect(rig.server.url, { authorization: "Bearer sk-gil-read-1f2e3d4c5b" });
    const names = (await reader.listTools()).tools.map((tool) => tool.name);
    assert.ok(!names.includes("feedback") && !names.includes("add_document"), names.join(", "));
    const refused = await reader.callTool({ name: "add_document", arguments: { content: "should not be stored" } });
    assert.equal(refused.isError, true);
    const gil = await gilSession();
    assert.ok(!(await texts(gil)).some((text: string) => /planted|should not/.test(text)));
    await Promise.all([hal.close(), reader.close(), gil.close()]);
  });
});
