/**
 * Regenerates docs/playground-chat.png and docs/playground-memories.png: a memcube test server with
 * the fake model and a few memories, the playground driven in Debian's Chromium.
 *   npm run screenshots
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromiumMissing, launchChromium } from "../test/support/browser.js";
import { startChatRig } from "../test/support/chat.js";
import type { RecordedBody } from "../test/support/fake-openai.js";

const docs = fileURLToPath(new URL("../docs", import.meta.url));
const missing = chromiumMissing();
if (missing) {
  console.error(missing);
  process.exit(1);
}

const TIPS =
  "Since you're visiting Anna in Bolzano, the train is a good fit: you prefer trains to planes, and the Brenner line runs straight into town. For Mia, pack her own peanut-free snacks for the journey, as many South Tyrolean pastries contain nuts.";

function lastUserMessage(body: RecordedBody): string {
  const message = body.messages?.filter((entry) => entry.role === "user").at(-1);
  return typeof message?.content === "string" ? message.content : "";
}

const rig = await startChatRig();
const browser = await launchChromium();
try {
  const user = "alice";
  const add = (cube: string, session: string, said: [string, string][]) =>
    rig.server.post("/product/add", {
      user_id: user,
      writable_cube_ids: [cube],
      session_id: session,
      messages: said.map(([content, chat_time]) => ({ role: "user", content, chat_time })),
    });
  await add("alice", "onboarding", [
    ["My sister Anna lives in Bolzano and teaches chemistry", "2026-10-02T18:20:00Z"],
    ["I love hiking in the Dolomites every summer", "2026-10-02T18:21:00Z"],
    ["My daughter Mia is allergic to peanuts", "2026-10-09T08:05:00Z"],
  ]);
  await add("alice-travel", "trip-planning", [
    ["We are planning a trip to Bolzano over Christmas", "2026-11-14T20:40:00Z"],
    ["I prefer trains to planes when travelling in Europe", "2026-11-14T20:42:00Z"],
  ]);
  rig.llm.reply({
    reasoning: "The user asks about the Christmas trip. Memories: Anna lives in Bolzano; Mia is allergic to peanuts; the user prefers trains.",
    text: (body) => (lastUserMessage(body).includes("Christmas") ? TIPS : "Noted: I'll keep the 22 December train in mind for the trip."),
    chunkSize: 6,
  });

  const page = await browser.newPage({ viewport: { width: 1360, height: 820 }, deviceScaleFactor: 1 });
  await page.goto(`${rig.server.url}/playground`);
  const userField = page.getByLabel("User", { exact: true });
  await userField.fill(user);
  await userField.press("Enter");
  await page.getByRole("button", { name: "+ cube" }).click();
  await page.getByRole("textbox", { name: "Cube id" }).fill("alice-travel");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByRole("checkbox", { name: "alice-travel" }).waitFor();

  for (const message of ["We booked the train to Bolzano for 22 December.", "What should we keep in mind for Mia on the Christmas trip to see Anna?"]) {
    await page.getByLabel("Message").fill(message);
    await page.getByRole("button", { name: "Send" }).click();
    await page
      .locator('[data-testid="answer"][data-state="done"]')
      .nth((await page.getByTestId("answer").count()) - 1)
      .waitFor();
  }
  await page.locator(".reasoning summary").last().click();
  await page.screenshot({ path: path.join(docs, "playground-chat.png") });

  await page.getByRole("tab", { name: "Memories" }).click();
  await page.getByLabel("Search memories").fill("Mia food allergy");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByText("found for “Mia food allergy”").waitFor();
  await page.locator(".memory-row", { hasText: "Mia is allergic" }).click();
  await page.locator('[data-testid="memory-detail"] .sources li').waitFor();
  await page.screenshot({ path: path.join(docs, "playground-memories.png") });
  console.log(`wrote ${path.join(docs, "playground-chat.png")} and ${path.join(docs, "playground-memories.png")}`);
} finally {
  await browser.close();
  await rig.close();
}
