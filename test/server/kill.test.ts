/**
 * `kill -9` in the middle of a stream of adds: after a restart on the same data folder every
 * acknowledged add is there, in every cube it named, and no add is there in part. SIGTERM lets a
 * chat stream in flight finish (its turn written back) before the process exits.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { modelList } from "../support/chat.js";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { serveChild } from "../support/process.js";
import { tempDataDir } from "../support/server.js";

const dataDir = tempDataDir();
let llm: FakeOpenAI;
before(async () => {
  llm = await startFakeOpenAI();
});
after(async () => {
  await llm.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const serve = () =>
  serveChild({
    MEMCUBE_DATA_DIR: dataDir,
    MEMCUBE_API_KEYS: "",
    MEMCUBE_API_KEYS_FILE: "",
    CHAT_MODEL_LIST: JSON.stringify(modelList(llm.url)),
  });

const post = (url: string, route: string, body: unknown) =>
  fetch(`${url}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const CUBES = ["crash-a", "crash-b"];
const WRITERS = 6;

describe("kill -9 during adds", () => {
  test("every acknowledged add survives, in every cube; none is half there", async () => {
    const first = await serve();
    const acknowledged = new Set<string>();
    const attempted = new Set<string>();
    let stop = false;
    const writers = Array.from({ length: WRITERS }, async (_, writer) => {
      for (let n = 0; !stop; n += 1) {
        const id = `w${writer}-n${n}`;
        attempted.add(id);
        const messages = [
          { role: "user", content: `${id} first part`, message_id: `${id}-1` },
          { role: "assistant", content: `${id} second part`, message_id: `${id}-2` },
        ];
        try {
          const response = await post(first.url, "/product/add", { user_id: "crasher", writable_cube_ids: CUBES, messages });
          if (response.status === 200) {
            await response.json();
            acknowledged.add(id);
          } else assert.fail(`add answered ${response.status}`);
        } catch (error) {
          if (!stop) throw error;
        }
      }
    });
    // Kill right after a 200, with the other writers' adds in flight.
    while (acknowledged.size < 60) await new Promise((resolve) => setTimeout(resolve, 5));
    first.child.kill("SIGKILL");
    stop = true;
    await first.exited;
    await Promise.all(writers);
    assert.ok(attempted.size > acknowledged.size, "some adds were in flight at the kill");

    const second = await serve();
    try {
      const seen = new Map<string, Set<string>>();
      for (const cube of CUBES) {
        const listed = await post(second.url, "/product/get_all", { user_id: "crasher", mem_cube_ids: [cube] });
        assert.equal(listed.status, 200);
        const { data } = (await listed.json()) as { data: { memories: { nodes: { memory: string }[] }[] }[] };
        const texts = (data[0]?.memories[0]?.nodes ?? []).map((memory) => memory.memory);
        assert.equal(new Set(texts).size, texts.length, `${cube}: no memory twice`);
        seen.set(cube, new Set(texts));
      }
      for (const id of attempted) {
        const parts = CUBES.flatMap((cube) => [`${id} first part`, `${id} second part`].map((text) => seen.get(cube)?.has(text) ?? false));
        const stored = parts.filter(Boolean).length;
        if (acknowledged.has(id)) assert.equal(stored, parts.length, `acknowledged add ${id} lost (${stored}/${parts.length})`);
        else assert.ok(stored === 0 || stored === parts.length, `add ${id} half written (${stored}/${parts.length})`);
      }
      // The restarted server takes writes again, and a retried add (same message ids) is not stored twice.
      const retried = await post(second.url, "/product/add", {
        user_id: "crasher",
        writable_cube_ids: CUBES,
        messages: [{ role: "user", content: "w0-n0 first part", message_id: "w0-n0-1" }],
      });
      assert.equal(retried.status, 200);
      const after = await post(second.url, "/product/get_all", { user_id: "crasher", mem_cube_ids: ["crash-a"] });
      const texts =
        ((await after.json()) as { data: { memories: { nodes: { memory: string }[] }[] }[] }).data[0]?.memories[0]?.nodes.map((memory) => memory.memory) ?? [];
      assert.equal(texts.filter((text) => text === "w0-n0 first part").length, 1);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});

describe("SIGTERM", () => {
  test("a chat stream in flight finishes, its turn is stored, new connections are refused, exit code 0", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Three chunks, then the model holds the rest until the test has seen SIGTERM refuse connections.
    llm.reply({ text: "Shutting down politely, one small piece at a time.", chunkSize: 4, stallAfterChunks: 3, resumeWhen: released });
    const server = await serve();
    const response = await post(server.url, "/product/chat/stream", { user_id: "drainer", query: "Tell me about draining" });
    assert.equal(response.status, 200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let raw = decoder.decode((await reader.read()).value);
    const exitCode = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
    server.child.kill("SIGTERM");
    // The signal lands when it lands: until then /health may still answer. Once it has, new
    // connections are refused while the stream is still draining (the process has not exited).
    let refused = false;
    while (!refused && server.child.exitCode === null) {
      refused = await fetch(`${server.url}/health`).then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(refused && server.child.exitCode === null, "a new connection after SIGTERM is refused while the stream drains");
    release();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) raw += decoder.decode(chunk.value);
    const frames = raw
      .split("\n\n")
      .filter((block) => block.trim() !== "")
      .map((block) => JSON.parse(block.replace(/^data: /, "")) as { type: string; data?: unknown });
    assert.deepEqual(frames.at(-1), { type: "end" });
    assert.equal(
      frames
        .filter((frame) => frame.type === "text")
        .map((frame) => frame.data)
        .join(""),
      "Shutting down politely, one small piece at a time.",
    );
    assert.equal(await exitCode, 0);

    const again = await serve();
    try {
      const listed = await post(again.url, "/product/get_all", { user_id: "drainer" });
      const { data } = (await listed.json()) as { data: { memories: { nodes: { memory: string }[] }[] }[] };
      assert.deepEqual(data[0]?.memories[0]?.nodes.map((memory) => memory.memory).sort(), [
        "Shutting down politely, one small piece at a time.",
        "Tell me about draining",
      ]);
    } finally {
      again.child.kill("SIGTERM");
      await again.exited;
      llm.reset();
    }
  });
});
