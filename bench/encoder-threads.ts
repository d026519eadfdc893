/**
 * Paired A/B of the encoder's burst thread on real-chat text, over HTTP as an import sends it:
 *
 *   node --import tsx bench/encoder-threads.ts [--messages 2000] [--order 0,1,0,1]
 *
 * Each entry of `--order` is one fresh server with MEMCUBE_EMBED_BURST_WORKERS set to it, fed the
 * same messages in batches of 500 after a warm-up batch; it prints messages/s (wall), the server's
 * CPU per 1,000 messages (user + system, all threads: steadier on a shared machine) and its RSS.
 * Alternate the settings so that both see the same load. Figures only; nothing is asserted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { postJson, startServerProcess } from "../test/support/process.js";
import { realChatCorpus } from "./lib/chat-corpus.js";
import { processCpuMs } from "./lib/cpu.js";

const { values } = parseArgs({ options: { messages: { type: "string", default: "2000" }, order: { type: "string", default: "0,1,0,1" } } });
const COUNT = Number(values.messages);
const WARM_UP = 100;
const BATCH = 500;

for (const burst of values.order.split(",")) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "memcube-threads-"));
  const server = await startServerProcess({ MEMCUBE_DATA_DIR: dataDir, MEMCUBE_EMBED_BURST_WORKERS: burst });
  try {
    const corpus = realChatCorpus()
      .messages(COUNT + WARM_UP, 7)
      .map((message, index) => ({ ...message, message_id: `m-${index}` }));
    const add = async (session: string, messages: typeof corpus) => {
      const response = await postJson(`${server.url}/product/add`, { user_id: "threads", session_id: session, messages });
      if (response.status !== 200) throw new Error(`add failed: ${JSON.stringify(response.json)}`);
    };
    await add("warm-up", corpus.slice(0, WARM_UP));
    const cpuBefore = processCpuMs(server.pid);
    const started = performance.now();
    for (let offset = WARM_UP; offset < corpus.length; offset += BATCH) await add(`s-${offset}`, corpus.slice(offset, offset + BATCH));
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = processCpuMs(server.pid);
    const cpu = cpuBefore === undefined || cpuAfter === undefined ? "–" : (((cpuAfter - cpuBefore) / COUNT) * 1000).toFixed(0);
    process.stdout.write(
      `burst workers ${burst}: ${(COUNT / seconds).toFixed(1)} messages/s, server CPU ${cpu} ms per 1,000 messages, RSS ${server.rssMb()} MB\n`,
    );
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
