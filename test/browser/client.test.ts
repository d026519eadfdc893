/**
 * The package memcube-client in a real browser (Debian's Chromium): its built modules, loaded as the
 * page's own ES modules from the server's origin, add, search and read a chat stream with the
 * browser's fetch and web streams.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import type { MemcubeClient as Client } from "../../packages/client/dist/index.js";
import { chromiumMissing, launchChromium } from "../support/browser.js";
import { startChatRig, type ChatRig } from "../support/chat.js";

const DIST = new URL("../../packages/client/dist/", import.meta.url);
const missing = chromiumMissing();

let rig: ChatRig;
let browser: Browser;
before(async () => {
  if (missing) return;
  rig = await startChatRig();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await rig?.close();
});

test("in Chromium: add, search and a streamed chat through the built package", { skip: missing ?? false }, async () => {
  const page = await browser.newPage();
  // The package's files, as if the app served them beside its page (same origin as the API).
  await page.route(`${rig.server.url}/app/**`, (route) =>
    route.fulfill({ contentType: "text/javascript", body: readFileSync(new URL(new URL(route.request().url()).pathname.slice("/app/".length), DIST)) }),
  );
  await page.goto(`${rig.server.url}/`);
  rig.llm.reply({ text: "You live in Merano.", chunkSize: 4 });
  const result = await page.evaluate(async () => {
    // In the page (the project's types have no DOM): its origin, and the package as a browser loads it.
    const origin = (globalThis as unknown as { location: { origin: string } }).location.origin;
    const { MemcubeClient } = (await import(`${origin}/app/index.js`)) as { MemcubeClient: typeof Client };
    const memcube = new MemcubeClient({ baseUrl: origin, userId: "br-alice" });
    await memcube.add({ messages: "I live in Merano", async_mode: "sync" });
    const found = await memcube.search({ query: "Where do I live?" });
    let answer = "";
    for await (const frame of memcube.chatStream({ query: "Where do I live?" })) if (frame.type === "text") answer += frame.data;
    return { memory: found.text_mem[0]?.memories[0]?.memory, answer };
  });
  assert.deepEqual(result, { memory: "I live in Merano", answer: "You live in Merano." });
  await page.close();
});
