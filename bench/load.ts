/**
 * Load test (`npm run loadtest`): one memcube server (a child process, with API keys, over a fresh
 * data folder) under a mixed load of adds, searches and chats against a fake OpenAI-compatible
 * model, on loopback only. Prints throughput, p50/p99 per route, the error count and how many
 * acknowledged adds are missing afterwards; exits 1 if either is not zero. Then the fairness
 * scenario (`lib/fairness.ts`): another user's 6-message add and a 100,000-character search while a
 * maximal add is embedded; exits 1 if that add takes longer than 5 s.
 *
 *   npm run loadtest                                  # 60 s at concurrency 50, then fairness
 *   npm run loadtest -- --seconds 20 --concurrency 100
 *   npm run loadtest -- --only fairness
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startFakeOpenAI } from "../test/support/fake-openai.js";
import { formatFairness, runFairness } from "./lib/fairness.js";
import { formatLoad, runLoad } from "./lib/load.js";
import { startServerProcess } from "../test/support/process.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    concurrency: { type: "string", default: "50" },
    users: { type: "string", default: "8" },
    "model-delay": { type: "string", default: "20" },
    only: { type: "string" },
  },
});
/** The target of the fairness scenario: a small add within this while a maximal add runs (alone: ~50 ms). */
const FAIR_SMALL_ADD_MS = 5000;
const seconds = Math.min(Number(values.seconds), 600);
const concurrency = Math.min(Number(values.concurrency), 1000);
const userCount = Math.max(2, Number(values.users));
if (values.only !== undefined && values.only !== "fairness") throw new Error("--only takes 'fairness'");
if (!(seconds > 0) || !(concurrency > 0)) throw new Error("--seconds and --concurrency must be positive numbers");

const users = Array.from({ length: userCount }, (_, index) => ({ id: `load-user-${index}`, key: `sk-load-${index}-${crypto.randomUUID()}` }));
const dataDir = mkdtempSync(path.join(tmpdir(), "memcube-load-"));
const llm = await startFakeOpenAI({ delayMs: Number(values["model-delay"]), chunkSize: 12 });
const modelList = [{ backend: "openai", api_base: llm.url, api_key: "sk-fake", model_name_or_path: "fake-model" }];
const server = await startServerProcess({
  MEMCUBE_DATA_DIR: dataDir,
  CHAT_MODEL_LIST: JSON.stringify(modelList),
  MEMCUBE_API_KEYS: JSON.stringify(Object.fromEntries(users.map((user) => [user.key, user.id]))),
});
try {
  if (values.only === undefined) {
    process.stdout.write(
      `memcube load test: ${seconds} s, concurrency ${concurrency}, ${userCount} users, fake model ${values["model-delay"]} ms per chunk, ${availableParallelism()} cores\n`,
    );
    const result = await runLoad({ url: server.url, seconds, concurrency, users });
    process.stdout.write(`${formatLoad(result, concurrency)}\nserver memory: ${server.rssMb()} MB resident\n`);
    if (result.errors > 0 || result.lostAdds > 0) process.exitCode = 1;
  }
  const fairness = await runFairness(server.url, [users[0] as (typeof users)[number], users[1] as (typeof users)[number]]);
  process.stdout.write(`${formatFairness(fairness)}\n`);
  if (fairness.smallAddDuringMs > FAIR_SMALL_ADD_MS) process.exitCode = 1;
} finally {
  await server.stop();
  await llm.close();
  rmSync(dataDir, { recursive: true, force: true });
}
