/** The TypeScript client's document calls against a real server. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MemcubeClient } from "../../src/client/index.js";
import { buildDocx } from "../support/docx.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.cleanup());

test("addDocument stores a file's chunks with their source; deleteDocuments removes them all", async () => {
  const client = new MemcubeClient({ baseUrl: server.url, userId: "client-docs" });
  const content = buildDocx([
    { heading: "Onboarding", level: 1 },
    { paragraph: "New staff get a laptop on their first day." },
    { heading: "Access", level: 2 },
    { paragraph: "Badges are collected from the front desk after nine." },
  ]);
  const added = await client.addDocument({ content, filename: "onboarding.docx", file_id: "hr-onboarding", async_mode: "sync" });
  assert.equal(added.length, 2);
  const again = await client.addDocument({ content, filename: "onboarding.docx", file_id: "hr-onboarding", async_mode: "sync" });
  assert.deepEqual(
    again.map((memory) => memory.memory_id),
    added.map((memory) => memory.memory_id),
  );
  const result = await client.search({ query: "where are badges collected", top_k: 1 });
  const source = result.text_mem[0]?.memories[0]?.metadata.sources[0];
  assert.equal(source?.type, "file");
  assert.deepEqual(source?.type === "file" ? source.file_info.heading_path : [], ["Onboarding", "Access"]);
  const deleted = await client.deleteDocuments({ file_ids: ["hr-onboarding"] });
  assert.equal(deleted.status, "success");
  assert.deepEqual((await client.memories.getAll())[0]?.memories[0]?.nodes, []);
});
