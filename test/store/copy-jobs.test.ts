/**
 * `memcube migrate` copies the job queue in batches like every table: a queue longer than one
 * batch (500 rows) arrives whole.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { copySqliteToPostgres } from "../../src/store/postgres/copy-from-sqlite.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { freshSchema, POSTGRES_SKIP, querySchema } from "../support/postgres.js";
import { tempDataDir } from "../support/server.js";

test("a job queue longer than one copy batch is copied whole", { skip: POSTGRES_SKIP }, async () => {
  const dataDir = tempDataDir();
  const file = path.join(dataDir, "memcube.db");
  const schema = await freshSchema("copyjobs");
  try {
    const now = new Date().toISOString();
    const store = new SqliteStore(file);
    const jobs = Array.from({ length: 1_234 }, () => ({
      taskId: crypto.randomUUID(),
      kind: "test",
      cubeId: "c",
      userId: "u",
      messageIds: ["m1"],
      payload: {},
      runAfter: now,
    }));
    const write = await store.addConversation({
      userId: "u",
      now,
      entries: [
        {
          message: { cubeId: "c", messageId: "m1", sessionId: "s", role: "user", content: "I live in Lyon", chatTime: now, createdAt: now },
          memory: {
            id: crypto.randomUUID(),
            cubeId: "c",
            userId: "u",
            sessionId: "s",
            text: "I live in Lyon",
            memoryType: "UserMemory",
            key: "",
            tags: [],
            confidence: 1,
            source: "conversation",
            background: "",
            info: {},
            chatTime: now,
            createdAt: now,
            updatedAt: now,
            sourceMessageIds: ["m1"],
            vector: null,
            keywords: "i live in lyon",
          },
        },
      ],
      jobs,
    });
    assert.equal(write.jobs.length, 1_234);
    await store.close();
    const report = await copySqliteToPostgres(file, schema.url, { indexText: (memory) => memory.text });
    assert.deepEqual(
      report.counts.find((entry) => entry.table === "jobs"),
      { table: "jobs", source: 1_234, target: 1_234 },
    );
    const [copied] = await querySchema<{ n: number }>(schema.url, "SELECT count(DISTINCT task_id)::int AS n FROM jobs");
    assert.equal(copied?.n, 1_234);
  } finally {
    await schema.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
