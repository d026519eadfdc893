/**
 * The playground in a real browser (Debian's Chromium through playwright-core) against a real
 * memcube with the fake model: chat, streamed answer, references, settings, the memory panel, cubes,
 * delete, sharing, export and import, the timeline, first use without a model, and API keys. Skipped, saying how to enable it, where Chromium is missing.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumMissing, launchChromium } from "../support/browser.js";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";
import { memories, script, startFineRig, waitIdle, type FineRig } from "../support/extraction.js";
import { startTestServer, type TestServer } from "../support/server.js";

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

    test("settings reach the chat request (top_k, system prompt), are kept across a reload, and each answer names its model", async () => {
      const page = await browser.newPage();
      await openPlayground(page, rig.server.url, "alice");
      await page.getByRole("button", { name: "Settings" }).click();
      const dialog = page.getByRole("dialog", { name: "Chat settings" });
      await dialog.getByLabel("top_k").fill("1");
      await dialog.getByLabel("threshold").fill("0");
      await dialog.getByLabel("System prompt").fill("You are Memo, a careful assistant. What you know:\n{memories}");
      await dialog.getByRole("button", { name: "Save" }).click();
      await page.reload();

      await chat(page, "Which allergy should I keep in mind for Mia?");
      // One memory shown (top_k 1), in the system prompt the page sent.
      assert.equal(await page.getByTestId("reference").count(), 1);
      const system = lastPrompt(rig.llm).find((message) => message.role === "system")?.content ?? "";
      assert.match(system, /^You are Memo, a careful assistant\. What you know:/);
      assert.match(system, new RegExp(FACT));
      // No model picked: the server's default answered, and the turn says so.
      assert.equal(rig.llm.requests.at(-1)?.body?.model, "qwen2.5-72b-instruct");
      assert.equal(await page.getByTestId("answer-model").last().textContent(), "qwen2.5-72b-instruct");
      // The same request as a curl command, to take into an app of one's own.
      await page.locator(".as-curl summary").last().click();
      const curl = (await page.getByTestId("curl").last().textContent()) ?? "";
      assert.match(curl, new RegExp(`^curl -N ${rig.server.url}/product/chat/stream`));
      assert.match(curl, /"top_k": 1,/);
      assert.match(curl, /"system_prompt": "You are Memo, a careful assistant\. What you know:\\n\{memories\}"/);
      await page.close();
    });

    test("the cube list shows own and shared cubes with access and counts; export then import copies a cube, and a second import adds nothing", async () => {
      await rig.server.post("/product/add", { user_id: "erin", messages: "Family dinner is on Sundays at six" });
      await rig.server.post("/product/share_cube", { user_id: "erin", cube_id: "erin", target_user_id: "alice", access: "read" });
      const page = await browser.newPage();
      await openPlayground(page, rig.server.url, "alice");
      await page.getByRole("tab", { name: "Memories" }).click();
      const cards = page.getByTestId("cube-card");
      const shared = cards.filter({ hasText: "erin" });
      await shared.waitFor();
      assert.match((await shared.textContent()) ?? "", /read · erin's\s*1 memory/);
      const own = cards.filter({ hasText: /^alice/ });
      const ownCount = (await rig.server.post("/product/get_all", { user_id: "alice" })).body.data[0].total_nodes as number;
      assert.match((await own.textContent()) ?? "", new RegExp(`owner\\s*${ownCount} memor`));
      await shared.click();
      await page.locator(".memory-row", { hasText: "Family dinner is on Sundays" }).waitFor();

      await own.click();
      await page.locator(".memory-row", { hasText: FACT }).waitFor();
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export" }).click()]);
      const exported = JSON.parse(await readFile(await download.path(), "utf8")) as { format: string; cube_id: string; memories: { memory: string }[] };
      assert.equal(exported.format, "memcube-memories");
      assert.equal(exported.cube_id, "alice");
      assert.equal(exported.memories.length, ownCount);
      assert.ok(exported.memories.some((memory) => memory.memory === FACT));

      // Into a new cube: created from the page, then the file imported.
      await page.getByRole("button", { name: "+ cube" }).click();
      await page.getByRole("textbox", { name: "Cube id" }).fill("alice-copy");
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await page.getByRole("button", { name: "Create cube" }).click();
      await cards.filter({ hasText: "alice-copy" }).click();
      const file = { name: "alice.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(exported)) };
      await page.getByLabel("Import memories").setInputFiles(file);
      await page
        .getByRole("status")
        .filter({ hasText: `Imported ${ownCount} memor` })
        .waitFor();
      const copied = await rig.server.post("/product/get_all", { user_id: "alice", mem_cube_id: "alice-copy" });
      assert.deepEqual(
        (copied.body.data[0].memories[0].nodes as { memory: string }[]).map((memory) => memory.memory).sort(),
        exported.memories.map((memory) => memory.memory).sort(),
      );
      await page.locator(".memory-row", { hasText: FACT }).waitFor();
      await page.getByLabel("Import memories").setInputFiles(file);
      await page
        .getByRole("status")
        .filter({ hasText: `Imported 0 memories into alice-copy; ${ownCount} already there, skipped.` })
        .waitFor();
      assert.equal((await rig.server.post("/product/get_all", { user_id: "alice", mem_cube_id: "alice-copy" })).body.data[0].total_nodes, ownCount);
      // A file that is not an export: said, nothing written.
      await page.getByLabel("Import memories").setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from('{"items": []}') });
      await page.getByRole("alert").filter({ hasText: 'notes.json: the file has no "memories" list' }).waitFor();
      await page.close();
    });
  });

  describe("first use, without a model", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.cleanup());

    test("opens as the quick start's user; an unwritten cube is an empty state; memories can be added and searched; the chat's 503 leaves no spinner", async () => {
      const page = await browser.newPage();
      await page.goto(`${server.url}/playground`);
      assert.equal(await page.getByLabel("User", { exact: true }).inputValue(), "alice");
      // The chat says what works without a model and what a model adds.
      const note = page.getByTestId("no-model");
      await note.waitFor();
      assert.match((await note.textContent()) ?? "", /No chat model is configured.*add memories and search them.*A model adds/s);
      await page.getByLabel("Message").fill("Hello");
      await page.getByRole("button", { name: "Send" }).click();
      await page.locator('[data-testid="answer"][data-state="failed"]').waitFor();
      const used = page.getByTestId("references");
      await used.getByText("No memories were used: the turn failed").waitFor();
      assert.equal(await used.getByText("Searching…").count(), 0);

      await page.getByRole("tab", { name: "Memories" }).click();
      await page.getByTestId("empty-state").getByText("Nothing remembered in alice yet").waitFor();
      assert.equal(await page.getByRole("alert").count(), 0, "no error for a cube not written yet");

      // Added by hand (fast mode, no model), Chinese too, then found by search.
      await page.getByLabel("New memory").fill("我女儿对花生过敏\nMy sister Anna lives in Bolzano");
      await page.getByRole("checkbox", { name: "one memory per line" }).check();
      await page.getByRole("button", { name: "Add to alice" }).click();
      await page.getByRole("status").filter({ hasText: "Added 2 memories to alice." }).waitFor();
      await page.locator(".memory-row", { hasText: "我女儿对花生过敏" }).waitFor();
      assert.match((await page.getByTestId("cube-card").first().textContent()) ?? "", /owner\s*2 memories/);
      await page.getByLabel("Search memories").fill("花生");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.getByText("found for “花生”").waitFor();
      assert.match((await page.locator(".memory-row").first().textContent()) ?? "", /我女儿对花生过敏/);

      // Another user: their own empty state, nothing left over from alice.
      const userField = page.getByLabel("User", { exact: true });
      await userField.fill("bob");
      await userField.press("Enter");
      await page.getByTestId("empty-state").getByText("Nothing remembered in bob yet").waitFor();
      assert.equal(await page.locator(".memory-row").count(), 0);
      assert.equal(await page.getByRole("alert").count(), 0);
      // The page opens again as the user it was left as.
      await page.reload();
      assert.equal(await page.getByLabel("User", { exact: true }).inputValue(), "bob");
      await page.close();
    });
  });

  describe("timeline", () => {
    let rig: FineRig;
    before(async () => {
      rig = await startFineRig();
      script(rig.llm, { extract: () => memories({ memory: "The user lives in Guangzhou", key: "home city", memory_type: "UserMemory" }) });
      await rig.server.post("/product/add", {
        user_id: "tina",
        messages: [{ role: "user", content: "I live in Guangzhou", chat_time: "2026-01-10T09:00:00Z" }],
      });
      await waitIdle(rig.server, "tina");
      script(rig.llm, {
        extract: () => memories({ memory: "The user moved to Shenzhen in February 2026", key: "home city", memory_type: "UserMemory" }),
        update: (prompt) => {
          const line = prompt.user.split("\n").find((entry) => entry.includes('"The user lives in Guangzhou"'));
          return JSON.stringify({ decisions: [{ new: 1, action: "update", target: Number(/\[(\d+)\]/.exec(line ?? "")?.[1]) }] });
        },
      });
      await rig.server.post("/product/add", {
        user_id: "tina",
        messages: [{ role: "user", content: "I moved to Shenzhen last month", chat_time: "2026-03-14T10:00:00Z" }],
      });
      await waitIdle(rig.server, "tina");
      await rig.server.post("/product/add", {
        user_id: "tina",
        mode: "fast",
        session_id: "hobbies",
        messages: [{ role: "user", content: "I started learning the guitar", chat_time: "2026-01-10T18:30:00Z" }],
      });
    });
    after(() => rig.close());

    test("memories by the day they were said, newest first, with their earlier versions", async () => {
      const page = await browser.newPage({ timezoneId: "UTC", locale: "en-GB" });
      await openPlayground(page, rig.server.url, "tina");
      await page.getByRole("tab", { name: "Memories" }).click();
      await page.getByRole("button", { name: "Timeline" }).click();
      const timeline = page.getByTestId("timeline");
      await timeline.waitFor();
      const days = await timeline.locator(".timeline-date").allTextContents();
      assert.deepEqual(
        days.map((text) => text.replace(/\s*\d+$/, "")),
        ["Sat, 14 March 2026", "Sat, 10 January 2026"],
      );
      const updated = timeline.getByTestId("timeline-entry").filter({ hasText: "The user moved to Shenzhen in February 2026" });
      const versions = updated.getByRole("list", { name: "Earlier versions" });
      await versions.waitFor();
      assert.match((await versions.textContent()) ?? "", /The user lives in Guangzhou.*v1, updated by a newer fact/);
      assert.match((await updated.locator(".badge.version").textContent()) ?? "", /^v2$/);
      assert.match((await timeline.locator(".timeline-day").nth(1).textContent()) ?? "", /18:30.*I started learning the guitar/);
      // Filters: by session, and by words of an earlier version.
      await page.getByLabel("Session").selectOption("hobbies");
      assert.deepEqual(await timeline.getByTestId("timeline-entry").locator(".memory-text").allTextContents(), ["I started learning the guitar"]);
      assert.equal(await page.getByTestId("timeline-count").textContent(), "1 of 2 memories");
      await page.getByLabel("Session").selectOption("");
      await page.getByLabel("Filter by words").fill("guangzhou");
      assert.deepEqual(await timeline.getByTestId("timeline-entry").locator(".memory-text").allTextContents(), ["The user moved to Shenzhen in February 2026"]);
      await page.getByLabel("Filter by words").fill("");
      // An entry opens in the detail panel.
      await updated.getByRole("button").first().click();
      await page.getByTestId("memory-detail").locator(".detail-text", { hasText: "Shenzhen" }).waitFor();
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
      await page.getByRole("button", { name: "Timeline" }).click();
      const entry = page.getByTestId("timeline-entry").filter({ hasText: "heater turns on" });
      assert.equal(await entry.locator(".badge.tag").textContent(), "greenhouse.md, §Greenhouse > Heating");
      await page.getByRole("button", { name: "List", exact: true }).click();
      await row.click();
      await page.getByTestId("memory-detail").getByRole("button", { name: "all its chunks" }).click();
      await page.getByTestId("file-view").waitFor();
      assert.equal(await page.locator(".memory-row").count(), 2);
      await page.getByTestId("file-view").getByRole("button", { name: "delete this file" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Delete file" }).click();
      await page.getByRole("dialog").waitFor({ state: "detached" });
      await page.getByTestId("empty-state").getByText("Nothing remembered in erin yet").waitFor();
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
      // The page asks the server whom the key stands for, and acts as that user without being told.
      const userField = page.getByLabel("User", { exact: true });
      await page.waitForFunction(() => {
        const { document } = globalThis as unknown as { document: { querySelector(selector: string): { value: string } | null } };
        return document.querySelector('input[aria-label="User"], #user')?.value === "carol";
      });
      assert.equal(await userField.inputValue(), "carol");
      await page.getByLabel("Model").locator("option", { hasText: "qwen2.5-72b-instruct" }).waitFor({ state: "attached" });

      await chat(page, "Remember that I play the cello");
      await page.locator(".as-curl summary").last().click();
      const curl = (await page.getByTestId("curl").last().textContent()) ?? "";
      assert.match(curl, /-H "Authorization: Bearer \$MEMCUBE_API_KEY"/);
      assert.ok(!curl.includes(KEY), "the curl command names the key's variable, never the key");
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
      // Back to the key's user: the refusal does not stay above carol's memories.
      await userAgain.fill("carol");
      await userAgain.press("Enter");
      await page.locator(".memory-row", { hasText: "Remember that I play the cello" }).waitFor();
      assert.equal(await page.getByRole("alert").count(), 0);
      await context.close();
    });
  });
});
