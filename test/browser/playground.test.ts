/**
 * The playground in a real browser (Debian's Chromium through playwright-core) against a real
 * memcube with the fake model: chat, streamed answer, references, the memory panel, delete, sharing,
 * and the same with API keys on. Skipped, saying how to enable it, where Chromium is missing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumMissing, launchChromium } from "../support/browser.js";
import { startChatRig, type ChatRig } from "../support/chat.js";

const missing = chromiumMissing();
if (missing) console.log(`# playground browser test skipped: ${missing}`);

const FACT = "My daughter Mia is allergic to peanuts";
const ANSWER = "Pack peanut-free snacks for Mia: she is allergic to peanuts.";
const REASONING = "The user has a daughter with a peanut allergy.";

/** The little of the DOM the page-side checks use (the root tsconfig has no DOM types). */
interface PageGlobals {
  document: { querySelectorAll(selector: string): ArrayLike<PageElement> };
  sessionStorage: { getItem(key: string): string | null };
  localStorage: { length: number; key(index: number): string | null; getItem(key: string): string | null };
}
interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): { textContent: string | null } | null;
}

async function openPlayground(page: Page, url: string, user: string): Promise<void> {
  await page.goto(`${url}/playground`);
  const userField = page.getByLabel("User", { exact: true });
  await userField.fill(user);
  await userField.press("Enter");
}

/** Sends a message and checks that the answer appears piece by piece before the stream ends. */
async function chat(page: Page, message: string): Promise<void> {
  await page.getByLabel("Message").fill(message);
  await page.getByRole("button", { name: "Send" }).click();
  const answer = page.getByTestId("answer").last();
  // Part of the answer is on screen while the model is still generating: it is rendered as it arrives.
  await page.waitForFunction((full) => {
    const { document } = globalThis as unknown as PageGlobals;
    const answers = document.querySelectorAll('[data-testid="answer"]');
    const element = answers[answers.length - 1];
    const text = element?.querySelector(".answer-text")?.textContent ?? "";
    return element?.getAttribute("data-state") === "generating" && text.length > 0 && text.length < full;
  }, ANSWER.length);
  await answer.and(page.locator('[data-state="done"]')).waitFor();
  assert.equal(await answer.locator(".answer-text").textContent(), ANSWER);
}

describe("playground in Chromium", { skip: missing }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  describe("open mode", () => {
    let rig: ChatRig;
    before(async () => {
      rig = await startChatRig();
      rig.llm.reply({ text: ANSWER, reasoning: REASONING, chunkSize: 4, delayMs: 80 });
      await rig.server.post("/product/add", { user_id: "alice", messages: FACT });
    });
    after(() => rig.close());

    test("chat streams the answer, shows the memories it used and the timing; the turn can be found and deleted", async () => {
      const page = await browser.newPage();
      await openPlayground(page, rig.server.url, "alice");
      assert.deepEqual(await page.getByLabel("Model").locator("option").allTextContents(), ["qwen2.5-72b-instruct", "deepseek-r1"]);
      await page.getByLabel("Model").selectOption("deepseek-r1");

      const question = "What snacks should I pack for the school trip?";
      await chat(page, question);
      assert.equal(rig.llm.requests.at(-1)?.body?.model, "deepseek-r1");

      // The memory the model was shown, beside the answer, with its relevance.
      const references = page.getByTestId("reference");
      assert.ok((await references.count()) >= 1);
      assert.match((await page.getByTestId("references").textContent()) ?? "", new RegExp(FACT));
      assert.match((await references.first().locator(".relativity-value").textContent()) ?? "", /^[01]\.\d\d$/);
      // The citation id as MemOS writes it: the id's first group in one pair of brackets.
      assert.match((await references.first().locator(".ref-id").textContent()) ?? "", /^\[[0-9a-f]{8}\]$/);
      // Timing from the `time` frame; the reasoning is folded until asked for.
      assert.match((await page.getByTestId("timing").textContent()) ?? "", /search .+ · first token .+ · total .+/);
      const reasoning = page.locator(".reasoning");
      assert.equal(await reasoning.locator(".reasoning-text").isVisible(), false);
      await reasoning.locator("summary").click();
      assert.equal(await reasoning.locator(".reasoning-text").textContent(), REASONING);

      // A reference opens in the memory panel.
      await references.filter({ hasText: FACT }).getByRole("button", { name: "Details" }).click();
      const detail = page.getByTestId("memory-detail");
      await detail.locator(".detail-text", { hasText: FACT }).waitFor();

      // The turn was written back: the memory panel lists it (newest first) with its source.
      const rows = page.locator(".memory-row");
      await rows.filter({ hasText: question }).waitFor();
      await rows.filter({ hasText: question }).click();
      await detail.locator(".detail-text", { hasText: question }).waitFor();
      assert.match((await detail.locator(".sources").textContent()) ?? "", new RegExp(question.replace("?", "\\?")));

      // Search shows relativity.
      await page.getByLabel("Search memories").fill("peanut allergy");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.getByText("found for “peanut allergy”").waitFor();
      assert.match((await rows.first().textContent()) ?? "", /[01]\.\d\d/);
      await page.getByRole("button", { name: "clear" }).click();

      // Delete, after confirming.
      await rows.filter({ hasText: question }).click();
      await detail.getByRole("button", { name: "Delete memory" }).click();
      const dialog = page.getByRole("dialog");
      assert.match((await dialog.textContent()) ?? "", /Delete this memory\?/);
      await dialog.getByRole("button", { name: "Delete", exact: true }).click();
      await rows.filter({ hasText: question }).waitFor({ state: "detached" });
      const listed = await rig.server.post("/product/get_all", { user_id: "alice" });
      const texts = (listed.body.data[0].memories[0].nodes as { memory: string }[]).map((memory) => memory.memory);
      assert.ok(!texts.includes(question), "deleted on the server too");
      assert.ok(texts.includes(FACT), "the other memories stay");
      await page.close();
    });

    test("cancelling the confirmation deletes nothing; sharing a cube lets the other user read it", async () => {
      const page = await browser.newPage();
      await openPlayground(page, rig.server.url, "alice");
      await page.getByRole("tab", { name: "Memories" }).click();
      await page.locator(".memory-row", { hasText: FACT }).click();
      await page.getByTestId("memory-detail").getByRole("button", { name: "Delete memory" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
      assert.equal(await page.locator(".memory-row", { hasText: FACT }).count(), 1);

      assert.equal((await rig.server.post("/product/search", { user_id: "bob", readable_cube_ids: ["alice"], query: "peanuts" })).status, 403);
      await page.getByRole("button", { name: "Share cube" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Share with user").fill("bob");
      await dialog.getByLabel("Access").selectOption("read");
      await dialog.getByRole("button", { name: "Apply" }).click();
      await dialog.getByText("bob may now read alice.").waitFor();
      assert.equal((await rig.server.post("/product/search", { user_id: "bob", readable_cube_ids: ["alice"], query: "peanuts" })).status, 200);
      await page.close();
    });
  });

  describe("paging", () => {
    let rig: ChatRig;
    before(async () => {
      rig = await startChatRig();
      const notes = Array.from({ length: 12 }, (_, index) => ({
        role: "user",
        content: `Note number ${index + 1}`,
        chat_time: `2026-11-${String(index + 1).padStart(2, "0")}T09:00:00Z`,
      }));
      await rig.server.post("/product/add", { user_id: "dave", messages: notes });
    });
    after(() => rig.close());

    test("the memory list shows ten a page, newest first, and pages through the rest", async () => {
      const page = await browser.newPage();
      await openPlayground(page, rig.server.url, "dave");
      await page.getByRole("tab", { name: "Memories" }).click();
      await page.getByText("Page 1 of 2").waitFor();
      assert.match((await page.getByTestId("total").textContent()) ?? "", /^12 memories in dave/);
      const rows = page.locator(".memory-row .memory-text");
      assert.equal(await rows.count(), 10);
      await page.getByRole("button", { name: "Older →" }).click();
      await page.getByText("Page 2 of 2").waitFor();
      assert.equal(await rows.count(), 2);
      // Deleting the only memories of the last page lands on the page before.
      for (let left = 2; left > 0; left -= 1) {
        await rows.first().click();
        await page.getByTestId("memory-detail").getByRole("button", { name: "Delete memory" }).click();
        await page.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
        await page.getByRole("dialog").waitFor({ state: "detached" });
        // The list is loaded again before the next row is picked.
        await page
          .getByTestId("total")
          .filter({ hasText: new RegExp(`^${10 + left - 1} memories`) })
          .waitFor();
      }
      await page
        .getByTestId("total")
        .filter({ hasText: /^10 memories/ })
        .waitFor();
      assert.equal(await rows.count(), 10);
      await page.close();
    });
  });

  describe("documents", () => {
    let rig: ChatRig;
    before(async () => {
      rig = await startChatRig();
    });
    after(() => rig.close());

    test("a file added in the memory panel shows as chunks with their source; its chunks are listed, and deleting the file removes them all", async () => {
      const page = await browser.newPage();
      await openPlayground(page, rig.server.url, "erin");
      await page.getByRole("tab", { name: "Memories" }).click();
      const markdown =
        "# Greenhouse\n\n## Watering\n\nThe tomatoes are watered at six every morning.\n\n## Heating\n\nThe heater turns on below eight degrees.\n";
      await page.getByLabel("Add files").setInputFiles({ name: "greenhouse.md", mimeType: "text/markdown", buffer: Buffer.from(markdown) });
      const row = page.locator(".memory-row", { hasText: "watered at six" });
      await row.waitFor();
      assert.equal(await row.locator(".badge.tag").textContent(), "greenhouse.md, §Greenhouse > Watering");
      await row.click();
      await page.getByTestId("memory-detail").getByRole("button", { name: "all its chunks" }).click();
      await page.getByTestId("file-view").waitFor();
      assert.equal(await page.locator(".memory-row").count(), 2);
      await page.getByTestId("file-view").getByRole("button", { name: "delete this file" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Delete file" }).click();
      await page.getByRole("dialog").waitFor({ state: "detached" });
      await page.getByText("This cube holds no memories yet.").waitFor();
      const all = await rig.server.post("/product/get_all", { user_id: "erin" });
      assert.deepEqual(all.body.data[0].memories[0].nodes, []);
      await page.close();
    });
  });

  describe("with API keys", () => {
    const KEY = "sk-playground-carol-8e3b1f6a";
    let rig: ChatRig;
    before(async () => {
      rig = await startChatRig({ MEMCUBE_API_KEYS: JSON.stringify({ [KEY]: "carol" }) });
      rig.llm.reply({ text: ANSWER, chunkSize: 4, delayMs: 80 });
    });
    after(() => rig.close());

    test("the page asks for the key once, keeps it for the tab's session, and sends it with every call", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${rig.server.url}/playground`);
      // The models call was refused (401): the page asks for the key.
      const dialog = page.getByRole("dialog", { name: "API key" });
      await dialog.waitFor();
      await dialog.getByLabel("API key").fill(KEY);
      await dialog.getByRole("button", { name: "Save" }).click();
      await page.getByRole("button", { name: "API key ✓" }).waitFor();
      const userField = page.getByLabel("User", { exact: true });
      await userField.fill("carol");
      await userField.press("Enter");
      await page.getByLabel("Model").locator("option", { hasText: "qwen2.5-72b-instruct" }).waitFor({ state: "attached" });

      await chat(page, "Remember that I play the cello");
      await page.getByRole("tab", { name: "Memories" }).click();
      await page.locator(".memory-row", { hasText: "Remember that I play the cello" }).waitFor();

      const stored = await page.evaluate(() => {
        const { sessionStorage, localStorage } = globalThis as unknown as PageGlobals;
        const persisted = Array.from({ length: localStorage.length }, (_, index) => localStorage.getItem(localStorage.key(index) ?? "") ?? "");
        return { session: sessionStorage.getItem("memcube.playground.apiKey"), persisted };
      });
      assert.equal(stored.session, KEY);
      assert.ok(!stored.persisted.some((value) => value.includes(KEY)), "the key is never kept in localStorage");
      // A reload of the tab keeps the key: no new prompt, and the memories list again.
      await page.reload();
      await page.getByRole("tab", { name: "Memories" }).click();
      await page.locator(".memory-row", { hasText: "Remember that I play the cello" }).waitFor();
      assert.equal(await page.getByRole("dialog").count(), 0);
      // A user the key may not act as: the API's 403 is shown, not swallowed.
      const userAgain = page.getByLabel("User", { exact: true });
      await userAgain.fill("mallory");
      await userAgain.press("Enter");
      await page.getByRole("alert").filter({ hasText: "this API key may not act as user 'mallory'" }).first().waitFor();
      await context.close();
    });
  });
});
