import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestServer, tempDataDir, type TestServer } from "../support/server.js";

function memcube(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/memcube.mjs", ...args],
      { env: { ...process.env, LOG_LEVEL: "silent", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function allMemories(server: TestServer, userId: string): Promise<Set<string>> {
  const response = await server.post("/product/get_all", { user_id: userId, mem_cube_ids: [userId] });
  assert.equal(response.status, 200);
  return new Set(response.body.data[0].memories[0].nodes.map((memory: { memory: string }) => memory.memory));
}

const folders: string[] = [];
const folder = () => {
  const dir = tempDataDir();
  folders.push(dir);
  return dir;
};
after(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe("memcube backup and restore (SQLite)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.cleanup());

  test("a backup taken while adds run restores every memory acknowledged before it began", async () => {
    const acknowledged: string[] = [];
    for (let index = 0; index < 20; index++) {
      const text = `Note number ${index} before the backup`;
      assert.equal((await server.post("/product/add", { user_id: "bk", messages: text })).status, 200);
      acknowledged.push(text);
    }
    assert.equal((await server.post("/product/add", { user_id: "bk", messages: "My sister Anna lives in Bolzano" })).status, 200);
    acknowledged.push("My sister Anna lives in Bolzano");
    const before = [...acknowledged];
    let adding = true;
    const attempted = new Set(acknowledged);
    let firstAcknowledged: () => void = () => undefined;
    const underWay = new Promise<void>((resolve) => (firstAcknowledged = resolve));
    const writer = async (lane: number) => {
      for (let index = 0; adding; index++) {
        const text = `Note ${index} of lane ${lane} during the backup`;
        attempted.add(text);
        const response = await server.post("/product/add", { user_id: "bk", messages: text });
        if (response.status === 200) {
          acknowledged.push(text);
          firstAcknowledged();
        }
      }
    };
    const writers = [writer(1), writer(2)];
    await underWay; // the adds are under way: one was acknowledged
    const file = path.join(folder(), "memcube-backup.db");
    const backup = await memcube(["backup", file], { MEMCUBE_DATA_DIR: server.dataDir });
    adding = false;
    await Promise.all(writers);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /^backed up .*memcube-backup\.db: 1 cubes, \d+ memories, \d+ bytes\n$/);
    assert.ok(acknowledged.length > before.length, "adds ran while the backup was taken");

    const restoredDir = folder();
    const restore = await memcube(["restore", file], { MEMCUBE_DATA_DIR: restoredDir });
    assert.equal(restore.code, 0, restore.stderr);
    const restored = await startTestServer({}, restoredDir);
    try {
      const found = await allMemories(restored, "bk");
      for (const text of before) assert.ok(found.has(text), `restored: ${text}`);
      for (const text of found) assert.ok(attempted.has(text), `only what was added: ${text}`);
      const hits = await restored.post("/product/search", { user_id: "bk", query: "Where does Anna live?", top_k: 3 });
      assert.ok(hits.body.data.text_mem[0].memories.some((memory: { memory: string }) => memory.memory === "My sister Anna lives in Bolzano"));
      // the restored store takes new memories
      assert.equal((await restored.post("/product/add", { user_id: "bk", messages: "Written after the restore" })).status, 200);
    } finally {
      await restored.stop();
    }

    // a store a server has open is never replaced, even with --force
    const running = await startTestServer({}, restoredDir);
    try {
      const busy = await memcube(["restore", file, "--force"], { MEMCUBE_DATA_DIR: restoredDir });
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, /is in use .*stop it before restoring/);
      const kept = await allMemories(running, "bk");
      assert.ok(kept.has("Written after the restore"), "the running server's store is untouched");
    } finally {
      await running.stop();
    }

    // a folder whose store holds memories is not overwritten without --force
    const refused = await memcube(["restore", file], { MEMCUBE_DATA_DIR: restoredDir });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already holds memories; .*--force/);
    const forced = await memcube(["restore", file, "--force"], { MEMCUBE_DATA_DIR: restoredDir });
    assert.equal(forced.code, 0, forced.stderr);
    const again = await startTestServer({}, restoredDir);
    try {
      const found = await allMemories(again, "bk");
      assert.ok(!found.has("Written after the restore"), "--force replaced the store");
      for (const text of before) assert.ok(found.has(text));
    } finally {
      await again.stop();
    }
  });

  test("refusals: an existing backup file, a file that is not a store, no store to back up", async () => {
    const dir = folder();
    const existing = path.join(dir, "taken.db");
    writeFileSync(existing, "x");
    const taken = await memcube(["backup", existing], { MEMCUBE_DATA_DIR: server.dataDir });
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already exists/);
    const garbage = path.join(dir, "garbage.db");
    writeFileSync(garbage, "this is not a database at all, just some text that is long enough");
    const bad = await memcube(["restore", garbage], { MEMCUBE_DATA_DIR: folder() });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not an SQLite database|cannot open/);
    const none = await memcube(["backup", path.join(dir, "none.db")], { MEMCUBE_DATA_DIR: path.join(dir, "empty") });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no store at/);
    assert.equal((await memcube(["backup"], { MEMCUBE_DATA_DIR: dir })).code, 2);
  });
});
