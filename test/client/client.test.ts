import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, beforeEach, describe, test } from "node:test";
import { MemcubeClient, MemcubeError, type ChatFrame } from "memcube/client";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";
import { script, startFineRig } from "../support/extraction.js";

let rig: ChatRig;
let alice: MemcubeClient;
before(async () => {
  rig = await startChatRig();
  alice = new MemcubeClient({ baseUrl: rig.server.url, userId: "cl-alice" });
});
after(() => rig.close());
beforeEach(() => rig.llm.reset());

describe("memcube/client against a real server", () => {
  test("add and search, with the client's default user", async () => {
    const added = await alice.add({ messages: "My sister Anna lives in Bolzano", async_mode: "sync" });
    assert.equal(added.length, 1);
    assert.equal(added[0]?.cube_id, "cl-alice");
    const found = await alice.search({ query: "Where does Anna live?" });
    assert.equal(found.text_mem[0]?.memories[0]?.memory, "My sister Anna lives in Bolzano");
  });

  test("chat (promise) sees the memory and answers; chatStream yields typed frames in order", async () => {
    rig.llm.reply({ text: "In Bolzano." });
    const answer = await alice.chat({ query: "Where does my sister Anna live?" });
    assert.equal(answer.response, "In Bolzano.");
    assert.ok(answer.references.some((memory) => memory.memory === "My sister Anna lives in Bolzano"));
    assert.match(lastPrompt(rig.llm)[0]?.content ?? "", /Bolzano/);

    rig.llm.reply({ text: "Bolzano, again.", reasoning: "thinking", chunkSize: 4 });
    const frames: ChatFrame[] = [];
    for await (const frame of alice.chatStream({ query: "And Anna?", model_name_or_path: "deepseek-r1" })) frames.push(frame);
    assert.deepEqual([...new Set(frames.map((frame) => frame.type))], ["status", "reference", "reasoning", "text", "time", "end"]);
    const text = frames.flatMap((frame) => (frame.type === "text" ? [frame.data] : [])).join("");
    assert.equal(text, "Bolzano, again.");
  });

  test("with no user known, add, get and delete leave user_id to the server; a delete with no mode throws", async () => {
    const anonymous = new MemcubeClient({ baseUrl: rig.server.url });
    const added = await anonymous.add({ writable_cube_ids: ["cl-nobody-cube"], messages: "A note in a fresh cube" });
    assert.equal(added[0]?.cube_id, "cl-nobody-cube");
    const id = added[0]?.memory_id ?? "";
    assert.equal((await anonymous.memories.get(id))?.memory, "A note in a fresh cube");
    await assert.rejects(anonymous.memories.delete({ writable_cube_ids: ["cl-nobody-cube"] }), (error: unknown) => {
      assert.ok(error instanceof MemcubeError);
      assert.match(error.message, /^Exactly one delete mode must be provided/);
      return true;
    });
    assert.equal((await anonymous.memories.delete({ memory_ids: [id] })).deleted, 1);
  });

  test("a failure mid-stream is thrown as a MemcubeError", async () => {
    rig.llm.reply({ text: "this will break off", chunkSize: 2, breakAfterChunks: 1 });
    await assert.rejects(async () => {
      for await (const frame of alice.chatStream({ query: "go" })) void frame;
    }, MemcubeError);
  });

  test("cubes: create, exists, share, delete", async () => {
    const cube = await alice.cubes.create({ cube_name: "Work", cube_id: "cl-work" });
    assert.deepEqual(cube, { cube_id: "cl-work", cube_name: "Work", owner_id: "cl-alice" });
    assert.equal(await alice.cubes.exists({ mem_cube_id: "cl-work" }), true);
    assert.equal(await alice.cubes.exists({ mem_cube_id: "cl-nothing" }), false);
    await alice.add({ writable_cube_ids: ["cl-work"], messages: "Standup is at 9:30" });
    const bob = new MemcubeClient({ baseUrl: rig.server.url, userId: "cl-bob" });
    await assert.rejects(bob.search({ query: "standup", readable_cube_ids: ["cl-work"] }), (error: unknown) => {
      assert.ok(error instanceof MemcubeError);
      assert.equal(error.status, 403);
      assert.equal(error.envelope?.code, 403);
      assert.ok(error.requestId);
      return true;
    });
    await alice.cubes.share({ cube_id: "cl-work", target_user_id: "cl-bob", access: "read" });
    assert.deepEqual(
      (await bob.cubes.list()).map((listed) => [listed.cube_id, listed.access, listed.memory_count]),
      [["cl-work", "read", 1]],
    );
    const shared = await bob.search({ query: "standup", readable_cube_ids: ["cl-work"] });
    assert.equal(shared.text_mem[0]?.memories[0]?.memory, "Standup is at 9:30");
    assert.deepEqual(await alice.cubes.delete({ cube_id: "cl-work" }), { cube_id: "cl-work", deleted: true });
    assert.equal(await alice.cubes.exists({ mem_cube_id: "cl-work" }), false);
  });

  test("memories: getAll, get, list, delete", async () => {
    const [added] = await alice.add({ messages: [{ role: "user", content: "I drink jasmine tea", chat_time: "2026-01-02 10:00:00" }] });
    assert.ok(added);
    const all = await alice.memories.getAll();
    assert.ok(all[0]?.memories[0]?.nodes.some((memory) => memory.id === added.memory_id));
    assert.equal(all[0]?.memories[0]?.tree_structure.id, "root");
    const one = await alice.memories.get(added.memory_id);
    assert.equal(one?.memory, "I drink jasmine tea");
    assert.deepEqual(one?.history, []);
    const page = await alice.memories.list({ mem_cube_id: "cl-alice", page: 1, page_size: 1 });
    assert.equal(page.text_mem[0]?.memories.length, 1);
    assert.deepEqual(await alice.memories.delete({ memory_ids: [added.memory_id] }), { status: "success", deleted: 1 });
    assert.equal(await alice.memories.get(added.memory_id), null, "an unknown id is null, as MemOS answers it");
  });

  test("memories: softDelete, dashboard, recover", async () => {
    await alice.add({ messages: "I keep my passport in the blue drawer", writable_cube_ids: ["cl-aside"] });
    assert.deepEqual(await alice.memories.softDelete({ mem_cube_id: "cl-aside", record_id: "undo-1" }), { status: "success", deleted: 1 });
    assert.equal((await alice.memories.dashboard({ mem_cube_id: "cl-aside" })).statistics.total_text_nodes, 0);
    assert.deepEqual(await alice.memories.recover({ mem_cube_id: "cl-aside", delete_record_id: "undo-1" }), { status: "success", recovered: 1 });
    const dashboard = await alice.memories.dashboard({ mem_cube_id: "cl-aside" });
    assert.equal(dashboard.text_mem[0]?.memories[0]?.memory, "I keep my passport in the blue drawer");
    assert.equal(dashboard.statistics.total_text_nodes, 1);
  });

  test("validation errors carry the 422 envelope; no user is refused before sending", async () => {
    await assert.rejects(alice.search({ query: "x", top_k: 0 }), (error: unknown) => {
      assert.ok(error instanceof MemcubeError);
      assert.equal(error.status, 422);
      assert.match(error.message, /^top_k: /);
      assert.ok(Array.isArray(error.envelope?.detail));
      return true;
    });
    const nobody = new MemcubeClient({ baseUrl: rig.server.url });
    await assert.rejects(nobody.search({ query: "x" }), /no user/);
  });

  test("models", async () => {
    assert.deepEqual(await alice.models(), { default_model: "qwen2.5-72b-instruct", models: ["qwen2.5-72b-instruct", "deepseek-r1"] });
  });
});

test("the client imports only types from the server: no server code is loaded with it", () => {
  // Its own modules (src/client/*, e.g. the SSE parser) it may load; anything else only as types.
  const files = readdirSync(new URL("../../src/client/", import.meta.url)).filter((name) => name.endsWith(".ts"));
  assert.ok(files.includes("index.ts"));
  for (const file of files) {
    const source = readFileSync(new URL(`../../src/client/${file}`, import.meta.url), "utf8");
    const imports = source.match(/^import .*$/gm) ?? [];
    if (file === "index.ts") assert.ok(imports.length > 0);
    assert.deepEqual(
      imports.filter((line) => !line.startsWith("import type ") && !/ from "\.\/[\w-]+\.js";$/.test(line)),
      [],
      file,
    );
  }
});

describe("memories.feedback", () => {
  test("sync feedback answers the record; a server without an extraction model throws 503", async () => {
    const fine = await startFineRig();
    try {
      const bob = new MemcubeClient({ baseUrl: fine.server.url, userId: "cl-bob" });
      const [added] = await bob.add({ messages: "I live in Turin", mode: "fast" });
      script(fine.llm, { feedback: () => JSON.stringify({ operations: [{ op: "update", memory: 1, text: "The user lives in Milan" }] }) });
      const [outcome] = await bob.memories.feedback({
        feedback_content: "I moved to Milan.",
        retrieved_memory_ids: [added?.memory_id ?? ""],
        async_mode: "sync",
      });
      assert.ok(outcome && !Array.isArray(outcome));
      assert.equal(outcome.record.update[0]?.archived_id, added?.memory_id);
      assert.equal(outcome.record.update[0]?.text, "The user lives in Milan");
    } finally {
      await fine.close();
    }
    await assert.rejects(alice.memories.feedback({ feedback_content: "wrong" }), (error: unknown) => error instanceof MemcubeError && error.status === 503);
  });
});

describe("with API keys", () => {
  test("apiKey is sent as a Bearer token; a wrong one is a 401 MemcubeError", async () => {
    const keyed = await startChatRig({ MEMCUBE_API_KEYS: JSON.stringify({ "client-key-0123456789abcdef": "cl-kate" }) });
    try {
      const kate = new MemcubeClient({ baseUrl: keyed.server.url, apiKey: "client-key-0123456789abcdef", userId: "cl-kate" });
      assert.equal((await kate.add({ messages: "hello there" })).length, 1);
      const wrong = new MemcubeClient({ baseUrl: keyed.server.url, apiKey: "wrong-key-0123456789abcdef", userId: "cl-kate" });
      await assert.rejects(wrong.add({ messages: "x" }), (error: unknown) => error instanceof MemcubeError && error.status === 401);
    } finally {
      await keyed.close();
    }
  });
});
