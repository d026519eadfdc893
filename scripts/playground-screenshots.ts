/**
 * Regenerates the playground's screenshots in docs/: the first-use empty state, a chat, a chat in
 * Chinese, the memory panel, and the memory timeline with a version history. A memcube test server
 * with the fake model (and one with the fake extraction model, for the history), driven in Debian's
 * Chromium. Chinese needs a CJK font (Debian: fonts-noto-cjk).
 *   npm run screenshots
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { chromiumMissing, launchChromium } from "../test/support/browser.js";
import { startChatRig } from "../test/support/chat.js";
import { memories, script, startFineRig, waitIdle } from "../test/support/extraction.js";
import type { RecordedBody } from "../test/support/fake-openai.js";

const docs = fileURLToPath(new URL("../docs", import.meta.url));
const missing = chromiumMissing();
if (missing) {
  console.error(missing);
  process.exit(1);
}
function hasCjkFont(): boolean {
  try {
    return execFileSync("fc-list", [":lang=zh", "family"], { encoding: "utf8" }).trim() !== "";
  } catch {
    return false;
  }
}
if (!hasCjkFont()) {
  console.error("no CJK font: Chinese would show as empty boxes. Install one: `apt-get install -y fonts-noto-cjk` (Debian)");
  process.exit(1);
}

const TIPS =
  "Since you're visiting Anna in Bolzano, the train is a good fit: you prefer trains to planes, and the Brenner line runs straight into town. For Mia, pack her own peanut-free snacks for the journey, as many South Tyrolean pastries contain nuts.";
const TIPS_ZH =
  "你女儿对花生过敏，所以去成都时点菜要先问清楚：很多川菜（比如宫保鸡丁）会放花生。你喜欢坐高铁，北京到成都的高铁大约八个小时，可以带些不含花生的零食在路上吃。";

function lastUserMessage(body: RecordedBody): string {
  const message = body.messages?.filter((entry) => entry.role === "user").at(-1);
  return typeof message?.content === "string" ? message.content : "";
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(docs, name) });
const written: string[] = [];

async function openAs(page: Page, url: string, user: string): Promise<void> {
  await page.goto(`${url}/playground`);
  const userField = page.getByLabel("User", { exact: true });
  await userField.fill(user);
  await userField.press("Enter");
}

async function send(page: Page, message: string): Promise<void> {
  await page.getByLabel("Message").fill(message);
  await page.getByRole("button", { name: "Send" }).click();
  await page
    .locator('[data-testid="answer"][data-state="done"]')
    .nth((await page.getByTestId("answer").count()) - 1)
    .waitFor();
}

const browser = await launchChromium();
const viewport = { viewport: { width: 1360, height: 820 }, deviceScaleFactor: 1, locale: "en-GB", timezoneId: "Europe/Rome" };
const rig = await startChatRig();
try {
  // First use: the quick start's user, nothing written yet.
  const first = await browser.newPage(viewport);
  await first.goto(`${rig.server.url}/playground#memories`);
  await first.getByTestId("empty-state").waitFor();
  await shot(first, "playground-empty.png");
  written.push("playground-empty.png");
  await first.close();

  const add = (user: string, cube: string, session: string, said: [string, string][]) =>
    rig.server.post("/product/add", {
      user_id: user,
      writable_cube_ids: [cube],
      session_id: session,
      messages: said.map(([content, chat_time]) => ({ role: "user", content, chat_time })),
    });
  await add("alice", "alice", "onboarding", [
    ["My sister Anna lives in Bolzano and teaches chemistry", "2026-10-02T18:20:00Z"],
    ["I love hiking in the Dolomites every summer", "2026-10-02T18:21:00Z"],
    ["My daughter Mia is allergic to peanuts", "2026-10-09T08:05:00Z"],
  ]);
  await add("alice", "alice-travel", "trip-planning", [
    ["We are planning a trip to Bolzano over Christmas", "2026-11-14T20:40:00Z"],
    ["I prefer trains to planes when travelling in Europe", "2026-11-14T20:42:00Z"],
  ]);
  await add("li", "li", "初次见面", [
    ["我女儿对花生过敏", "2026-10-09T08:05:00Z"],
    ["我们计划十二月去成都看望外婆", "2026-11-02T19:30:00Z"],
    ["比起坐飞机，我更喜欢坐高铁", "2026-11-02T19:31:00Z"],
  ]);
  rig.llm.reply({
    reasoning: "The user asks about the Christmas trip. Memories: Anna lives in Bolzano; Mia is allergic to peanuts; the user prefers trains.",
    text: (body) => {
      const said = lastUserMessage(body);
      if (said.includes("成都")) return TIPS_ZH;
      if (said.includes("Christmas")) return TIPS;
      return "Noted: I'll keep the 22 December train in mind for the trip.";
    },
    chunkSize: 6,
  });

  const page = await browser.newPage(viewport);
  await openAs(page, rig.server.url, "alice");
  await page.getByRole("button", { name: "+ cube" }).click();
  await page.getByRole("textbox", { name: "Cube id" }).fill("alice-travel");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByRole("checkbox", { name: "alice-travel" }).waitFor();
  for (const message of ["We booked the train to Bolzano for 22 December.", "What should we keep in mind for Mia on the Christmas trip to see Anna?"]) {
    await send(page, message);
  }
  await page.locator(".reasoning summary").last().click();
  await shot(page, "playground-chat.png");

  await page.getByRole("tab", { name: "Memories" }).click();
  await page.getByLabel("Search memories").fill("Mia food allergy");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByText("found for “Mia food allergy”").waitFor();
  await page.locator(".memory-row", { hasText: "Mia is allergic" }).click();
  await page.locator('[data-testid="memory-detail"] .sources li').waitFor();
  await shot(page, "playground-memories.png");
  written.push("playground-chat.png", "playground-memories.png");
  await page.close();

  const zh = await browser.newPage({ ...viewport, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  await openAs(zh, rig.server.url, "li");
  await send(zh, "十二月去成都，带女儿要注意什么？");
  await shot(zh, "playground-chat-zh.png");
  written.push("playground-chat-zh.png");
  await zh.close();
} finally {
  await rig.close();
}

// The timeline: memories over two months, one of them updated by a newer fact (fine mode).
const fine = await startFineRig();
try {
  const user = "alice";
  const fast = (content: string, chat_time: string, session: string) =>
    fine.server.post("/product/add", { user_id: user, mode: "fast", session_id: session, messages: [{ role: "user", content, chat_time }] });
  await fast("I love hiking in the Dolomites every summer", "2026-10-02T18:21:00Z", "onboarding");
  await fast("My daughter Mia is allergic to peanuts", "2026-10-09T08:05:00Z", "school-trip");
  await fast("We are planning a trip to see Anna over Christmas", "2026-11-14T20:40:00Z", "trip-planning");
  await fast("I prefer trains to planes when travelling in Europe", "2026-11-14T20:42:00Z", "trip-planning");
  script(fine.llm, { extract: () => memories({ memory: "Anna, the user's sister, lives in Bolzano", key: "sister's city", memory_type: "UserMemory" }) });
  await fine.server.post("/product/add", {
    user_id: user,
    session_id: "onboarding",
    messages: [{ role: "user", content: "My sister Anna lives in Bolzano", chat_time: "2026-10-02T18:20:00Z" }],
  });
  await waitIdle(fine.server, user);
  script(fine.llm, {
    extract: () => memories({ memory: "Anna, the user's sister, moved to Trento in November", key: "sister's city", memory_type: "UserMemory" }),
    update: (prompt) => {
      const line = prompt.user.split("\n").find((entry) => entry.includes("lives in Bolzano"));
      return JSON.stringify({ decisions: [{ new: 1, action: "update", target: Number(/\[(\d+)\]/.exec(line ?? "")?.[1]) }] });
    },
  });
  await fine.server.post("/product/add", {
    user_id: user,
    session_id: "trip-planning",
    messages: [{ role: "user", content: "Anna has just moved to Trento", chat_time: "2026-11-20T09:15:00Z" }],
  });
  await waitIdle(fine.server, user);

  const page = await browser.newPage(viewport);
  await openAs(page, fine.server.url, user);
  await page.getByRole("tab", { name: "Memories" }).click();
  await page.getByRole("button", { name: "Timeline" }).click();
  await page.getByRole("list", { name: "Earlier versions" }).waitFor();
  await page.getByTestId("timeline-entry").filter({ hasText: "Trento" }).getByRole("button").first().click();
  await page.locator('[data-testid="memory-detail"] .history li').waitFor();
  await shot(page, "playground-timeline.png");
  written.push("playground-timeline.png");
} finally {
  await browser.close();
  await fine.close();
}
console.log(`wrote ${written.map((name) => path.join(docs, name)).join(", ")}`);
