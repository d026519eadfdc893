import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.js";
import { startTestServer, tempDataDir, textHits } from "../support/server.js";

let fake: FakeEmbeddings;
before(async () => {
  fake = await startFakeEmbeddings({ dimension: 48 });
});
after(() => fake.close());

const remoteEmbedder = () => ({
  MOS_EMBEDDER_BACKEND: "universal_api",
  MOS_EMBEDDER_API_BASE: fake.url,
  MOS_EMBEDDER_API_KEY: "sk-embed-test",
  MOS_EMBEDDER_MODEL: "fake-embed-1",
});

describe("the data folder outlives the process", () => {
  test("memories, cubes and shares are there after a restart on the same folder", async () => {
    const dataDir = tempDataDir();
    const first = await startTestServer({}, dataDir);
    await first.post("/product/add", { user_id: "rita", messages: [{ role: "user", content: "My passport expires in October 2027", message_id: "p-1" }] });
    await first.post("/product/share_cube", { user_id: "rita", cube_id: "rita", target_user_id: "sam", access: "read" });
    await first.stop();

    const second = await startTestServer({}, dataDir);
    try {
      const search = await second.post("/product/search", { user_id: "sam", readable_cube_ids: ["rita"], query: "When does the passport expire?" });
      assert.deepEqual(textHits(search.body), ["My passport expires in October 2027"]);
      const again = await second.post("/product/add", { user_id: "rita", messages: [{ role: "user", content: "duplicate", message_id: "p-1" }] });
      assert.equal(again.body.data[0].memory, "My passport expires in October 2027");
    } finally {
      await second.cleanup();
    }
  });
});

describe("embedders", () => {
  test("universal_api: an OpenAI-compatible endpoint embeds every script, so Chinese is found by meaning too", async () => {
    const server = await startTestServer(remoteEmbedder());
    try {
      await server.post("/product/add", { user_id: "zh", messages: "我喜欢在周末去公园散步" });
      const request = fake.requests.find((entry) => JSON.stringify(entry.body).includes("公园"));
      assert.ok(request, "the memory text was sent to the embeddings endpoint");
      assert.equal(request.headers.authorization, "Bearer sk-embed-test");
      assert.deepEqual((request.body as { encoding_format: string; model: string }).encoding_format, "float");
      const search = await server.post("/product/search", { user_id: "zh", query: "周末 公园" });
      assert.deepEqual(textHits(search.body), ["我喜欢在周末去公园散步"]);
    } finally {
      await server.cleanup();
    }
  });

  test("another embedder on an existing store stops start-up naming the re-embed command; reembed fixes it", async () => {
    const dataDir = tempDataDir();
    const local = await startTestServer({}, dataDir);
    await local.post("/product/add", { user_id: "em", messages: "Tea with oat milk, no sugar" });
    await local.stop();

    await assert.rejects(startTestServer(remoteEmbedder(), dataDir), (error: Error) => {
      assert.match(error.message, /local:use-lite-en \(512 dimensions\)/);
      assert.match(error.message, /universal_api:fake-embed-1 \(48 dimensions\)/);
      assert.match(error.message, /npm run reembed/);
      return true;
    });

    // Asynchronously: the fake endpoint answers from this process.
    const reembed = await promisify(execFile)(process.execPath, ["bin/memcube.mjs", "reembed"], {
      env: { ...process.env, ...remoteEmbedder(), MEMCUBE_DATA_DIR: dataDir, LOG_LEVEL: "silent" },
    });
    assert.match(reembed.stderr, /done: 1 memories re-embedded/);

    const remote = await startTestServer(remoteEmbedder(), dataDir);
    try {
      const search = await remote.post("/product/search", { user_id: "em", query: "oat milk tea" });
      assert.deepEqual(textHits(search.body), ["Tea with oat milk, no sugar"]);
    } finally {
      await remote.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
