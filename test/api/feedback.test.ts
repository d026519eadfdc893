/**
 * POST /product/feedback and add's is_feedback (issue 17): the extraction model, the fake one here,
 * is asked with the feedback, the conversation and the memories concerned, and its answer changes
 * the cube: an update is a new version with the old one in its history, a deletion erases, an
 * addition adds. Sync answers with the changes, async queues a task the scheduler reports. On both
 * stores (the feedback job is written and read back through the store).
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { activeTexts, prompts, script, startFineRig, waitIdle, type FineRig, type Prompt } from "../support/extraction.js";
import { freshSchema, POSTGRES_SKIP, type TestSchema } from "../support/postgres.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** The number the feedback prompt gives the memory with this text. */
function numberOf(prompt: Prompt, text: string): number {
  const line = prompt.user.split("\n").find((entry) => entry.includes(JSON.stringify(text)));
  const number = /^\[(\d+)\]/.exec(line ?? "")?.[1];
  assert.ok(number, `the feedback prompt shows ${text}:\n${prompt.user}`);
  return Number(number);
}

const HISTORY = [
  { role: "user", content: "Which hotel should I book in Porto?" },
  { role: "assistant", content: "The Grand Palace: it is lively, as you like." },
];

function feedbackSuite(name: string, setup: () => Promise<{ env: Record<string, string>; drop?: () => Promise<void> }>, skip: string | false = false) {
  describe(`POST /product/feedback (${name})`, { skip }, () => {
    let rig: FineRig;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      const { env, drop: dropStore } = await setup();
      drop = dropStore;
      rig = await startFineRig(env);
    });
    after(async () => {
      await rig?.close();
      await drop?.();
    });
    beforeEach(() => rig.llm.reset());

    const post = (route: string, body: unknown) => rig.server.post(route, body);
    /** Fast adds: one memory per message, no extraction job (the tests script only feedback). */
    async function remember(userId: string, ...texts: string[]): Promise<string[]> {
      const added = await post("/product/add", { user_id: userId, mode: "fast", messages: texts.map((content) => ({ role: "user", content })) });
      assert.equal(added.status, 200);
      return added.body.data.map((entry: { memory_id: string }) => entry.memory_id);
    }

    test("sync: the model is shown the feedback, the conversation and the memories; its update is a new version with the old one in its history", async () => {
      const [hotel] = await remember("fb1", "I prefer lively hotels", "My cat is called Miso");
      script(rig.llm, {
        feedback: (prompt) =>
          JSON.stringify({ operations: [{ op: "update", memory: numberOf(prompt, "I prefer lively hotels"), text: "The user prefers quiet hotels" }] }),
      });
      const response = await post("/product/feedback", {
        user_id: "fb1",
        history: HISTORY,
        feedback_content: "No, I said I prefer quiet hotels.",
        retrieved_memory_ids: [hotel],
        async_mode: "sync",
      });
      assert.equal(response.status, 200);
      assert.equal(response.body.code, 200);
      assert.equal(response.body.message, "Memory feedback successfully");
      const [outcome] = response.body.data;
      assert.equal(outcome.answer, "");
      assert.deepEqual(outcome.record.add, []);
      assert.deepEqual(outcome.record.delete, []);
      assert.equal(outcome.record.update.length, 1);
      const [update] = outcome.record.update;
      assert.deepEqual(
        { text: update.text, archived_id: update.archived_id, origin_memory: update.origin_memory, source_doc_id: update.source_doc_id },
        { text: "The user prefers quiet hotels", archived_id: hotel, origin_memory: "I prefer lively hotels", source_doc_id: null },
      );
      assert.equal(outcome.tasks[0].status, "completed");
      assert.equal(outcome.tasks[0].cube_id, "fb1");

      const [prompt] = prompts(rig.llm, "feedback");
      assert.ok(prompt);
      assert.match(prompt.user, /The user's feedback \(\d{4}-\d\d-\d\d \d\d:\d\d UTC, \w+\): "No, I said I prefer quiet hotels\."/);
      assert.ok(prompt.user.includes('user: "Which hotel should I book in Porto?"'));
      assert.ok(prompt.user.includes('assistant: "The Grand Palace: it is lively, as you like."'));
      assert.match(prompt.user, /\[1\] \d{4}-\d\d-\d\d · UserMemory: "I prefer lively hotels"/, "the retrieved memory comes first");
      assert.equal(prompts(rig.llm, "extract").length, 0, "feedback is not extracted as a conversation");

      assert.deepEqual(await activeTexts(rig.server, "fb1"), ["My cat is called Miso", "The user prefers quiet hotels"]);
      const current = await rig.server.get(`/product/get_memory/${update.id}?user_id=fb1`);
      assert.deepEqual(
        current.body.data.history.map((version: { memory: string; status: string; replaced_by: string; reason: string }) => [
          version.memory,
          version.status,
          version.replaced_by,
          version.reason,
        ]),
        [["I prefer lively hotels", "archived", update.id, "corrected by feedback"]],
      );
      assert.equal(current.body.data.metadata.version, 2);
      assert.deepEqual(
        current.body.data.metadata.history.map((version: { memory: string; update_type: string }) => [version.memory, version.update_type]),
        [["I prefer lively hotels", "feedback"]],
        "MemOS's form of the history names the feedback",
      );
      assert.equal(current.body.data.metadata.memory_type, "UserMemory");
      const archived = await rig.server.get(`/product/get_memory/${hotel}?user_id=fb1`);
      assert.equal(archived.body.data.metadata.status, "archived");
    });

    test("async (MemOS's default): answers [[]] at once; the task is durable, named by the client's task_id, and its deletion erases the memory", async () => {
      const [, cat] = await remember("fb2", "The user lives in Porto", "The user has a cat named Miso");
      script(rig.llm, { feedback: (prompt) => JSON.stringify({ operations: [{ op: "delete", memory: numberOf(prompt, "The user has a cat named Miso") }] }) });
      const response = await post("/product/feedback", {
        user_id: "fb2",
        writable_cube_ids: ["fb2"],
        history: [
          { role: "user", content: "What should I feed my cat?" },
          { role: "assistant", content: "Miso would like fish." },
        ],
        feedback_content: "I have never had a cat. Forget about Miso.",
        task_id: "fb2-task",
      });
      assert.equal(response.status, 200);
      assert.equal(response.body.message, "Memory feedback successfully");
      assert.deepEqual(response.body.data, [[]]);
      await waitIdle(rig.server, "fb2");
      const status = await rig.server.get("/product/scheduler/status?user_id=fb2&task_id=fb2-task");
      assert.deepEqual(status.body.data, [{ task_id: "fb2-task", status: "completed" }]);
      const [prompt] = prompts(rig.llm, "feedback");
      assert.ok(prompt?.user.includes('"The user has a cat named Miso"'), "search finds the memory the feedback is about");
      assert.deepEqual(await activeTexts(rig.server, "fb2"), ["The user lives in Porto"]);
      assert.equal((await rig.server.get(`/product/get_memory/${cat}?user_id=fb2`)).body.data, null, "erased, not archived");
    });

    test("corrected_answer: the model also answers again; an addition is a new memory", async () => {
      await remember("fb3", "The user likes steak");
      script(rig.llm, {
        feedback: () =>
          JSON.stringify({
            operations: [{ op: "add", text: "The user is vegetarian since 2026", memory_type: "UserMemory" }],
            answer: "Then try the lentil soup.",
          }),
      });
      const response = await post("/product/feedback", {
        user_id: "fb3",
        history: [{ role: "user", content: "What should I order?" }],
        feedback_content: "I am vegetarian now.",
        async_mode: "sync",
        corrected_answer: true,
      });
      const [outcome] = response.body.data;
      assert.equal(outcome.answer, "Then try the lentil soup.");
      assert.deepEqual(
        outcome.record.add.map((entry: { text: string; source_doc_id: null }) => [entry.text, entry.source_doc_id]),
        [["The user is vegetarian since 2026", null]],
      );
      const [prompt] = prompts(rig.llm, "feedback");
      assert.match(prompt?.system ?? "", /"answer"/, "the model is asked for the corrected answer");
      assert.deepEqual(await activeTexts(rig.server, "fb3"), ["The user is vegetarian since 2026", "The user likes steak"]);
    });

    test("a memory of a cube the caller cannot write is never shown to the model nor touched; another user's cube is a 403", async () => {
      const [secret] = await remember("fbowner", "The owner's door code is 4321");
      const shared = await post("/product/share_cube", { user_id: "fbowner", cube_id: "fbowner", target_user_id: "fbreader", access: "read" });
      assert.equal(shared.status, 200);
      await remember("fbreader", "The reader likes jazz");
      script(rig.llm, {
        feedback: () =>
          JSON.stringify({
            operations: [
              { op: "delete", memory: 1 },
              { op: "delete", memory: 2 },
            ],
          }),
      });
      const own = await post("/product/feedback", {
        user_id: "fbreader",
        feedback_content: "Forget the door code 4321.",
        retrieved_memory_ids: [secret],
        async_mode: "sync",
      });
      assert.equal(own.status, 200);
      const [prompt] = prompts(rig.llm, "feedback");
      assert.ok(prompt && !prompt.user.includes("The owner's door code"), "the other cube's memory is not in the prompt");
      assert.deepEqual(await activeTexts(rig.server, "fbowner"), ["The owner's door code is 4321"]);

      const readOnly = await post("/product/feedback", { user_id: "fbreader", writable_cube_ids: ["fbowner"], feedback_content: "Wrong code." });
      assert.equal(readOnly.status, 403);
      assert.equal(readOnly.body.message, "user 'fbreader' may not write cube 'fbowner'");
      const stranger = await post("/product/feedback", { user_id: "fbstranger", writable_cube_ids: ["fbowner"], feedback_content: "Wrong code." });
      assert.equal(stranger.status, 403);
      assert.equal(prompts(rig.llm, "feedback").length, 1, "a refused feedback reaches no model");
      assert.deepEqual(await activeTexts(rig.server, "fbowner"), ["The owner's door code is 4321"]);
    });

    test("add with is_feedback: the last user message is the feedback, what came before its history (MemOS's message)", async () => {
      await remember("fb5", "The user's hotel budget is 300 euros a night");
      const response = await post("/product/add", {
        user_id: "fb5",
        writable_cube_ids: ["fb5"],
        session_id: "trip",
        is_feedback: true,
        chat_history: [{ role: "user", content: "Find me a hotel in Lisbon." }],
        messages: [
          { role: "assistant", content: "The Ritz, 600 euros a night." },
          { role: "user", content: "That hotel was over my budget, cheaper please." },
        ],
      });
      assert.equal(response.status, 200);
      assert.equal(response.body.message, "Memory feedback successfully");
      assert.deepEqual(response.body.data, [[]]);
      await waitIdle(rig.server, "fb5");
      const [prompt] = prompts(rig.llm, "feedback");
      assert.match(prompt?.user ?? "", /feedback \([^)]*\): "That hotel was over my budget, cheaper please\."/);
      assert.ok(prompt?.user.includes('user: "Find me a hotel in Lisbon."'));
      assert.ok(prompt?.user.includes('assistant: "The Ritz, 600 euros a night."'));
      assert.deepEqual(await activeTexts(rig.server, "fb5"), ["The user's hotel budget is 300 euros a night"], "the feedback is not stored as a message");
    });

    test("sync while the model fails: nothing changes, the answer says the task is not done, and the task stays in the queue", async () => {
      const [fact] = await remember("fb7", "The user works in Porto");
      script(rig.llm, { feedback: () => JSON.stringify({ operations: [{ op: "delete", memory: 1 }] }) });
      rig.llm.failNext(503, undefined, 1000);
      const response = await post("/product/feedback", {
        user_id: "fb7",
        feedback_content: "I do not work in Porto any more.",
        retrieved_memory_ids: [fact],
        async_mode: "sync",
        task_id: "fb7-task",
      });
      assert.equal(response.status, 200);
      const [outcome] = response.body.data;
      assert.deepEqual(outcome.record, { add: [], update: [], delete: [] });
      assert.notEqual(outcome.tasks[0].status, "completed");
      assert.match(response.headers.get("x-memcube-notice") ?? "", /feedback not applied yet in 'fb7'/);
      assert.deepEqual(await activeTexts(rig.server, "fb7"), ["The user works in Porto"]);
      const status = await rig.server.get("/product/scheduler/status?user_id=fb7&task_id=fb7-task");
      assert.equal(status.status, 200, "the task is known, whatever its state");
      rig.llm.reset(); // the model answers again: the task finishes in the background (retried, or parked after its attempts)
      await waitIdle(rig.server, "fb7");
      assert.ok(["completed", "failed"].includes((await rig.server.get("/product/scheduler/status?user_id=fb7&task_id=fb7-task")).body.data[0].status));
    });

    test("blank feedback changes nothing and asks no model; bad input is a 422 naming the field", async () => {
      const blank = await post("/product/feedback", { user_id: "fb6", feedback_content: "   ", history: null, async_mode: "sync" });
      assert.equal(blank.status, 200);
      assert.deepEqual(blank.body.data, [{ answer: "", record: { add: [], update: [], delete: [] }, tasks: [] }]);
      assert.equal(rig.llm.requests.length, 0);
      const missing = await post("/product/feedback", { feedback_content: "wrong" });
      assert.equal(missing.status, 422);
      assert.equal(missing.body.message, "user_id: field required");
      const badIds = await post("/product/feedback", { user_id: "fb6", feedback_content: "wrong", retrieved_memory_ids: "abc" });
      assert.equal(badIds.status, 422);
      assert.match(badIds.body.message, /^retrieved_memory_ids: /);
      const badMode = await post("/product/feedback", { user_id: "fb6", feedback_content: "wrong", async_mode: "later" });
      assert.equal(badMode.status, 422);
      assert.match(badMode.body.message, /^async_mode: /);
    });
  });
}

feedbackSuite("SQLite", async () => ({ env: {} }));
let schema: TestSchema | undefined;
feedbackSuite(
  "PostgreSQL",
  async () => {
    schema = await freshSchema("feedback_routes");
    return { env: { MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }, drop: () => schema?.drop() ?? Promise.resolve() };
  },
  POSTGRES_SKIP,
);

describe("feedback without an extraction model", () => {
  let plain: TestServer;
  before(async () => {
    plain = await startTestServer();
  });
  after(() => plain.cleanup());

  test("POST /product/feedback is a 503 saying what to configure; nothing is queued", async () => {
    const response = await plain.post("/product/feedback", { user_id: "nofb", feedback_content: "That is wrong." });
    assert.equal(response.status, 503);
    assert.equal(response.body.code, 503);
    assert.match(response.body.message, /^feedback needs an extraction model.*MEMRADER_API_BASE.*MEMCUBE_EXTRACT_MODEL/);
    assert.deepEqual((await plain.get("/product/scheduler/status?user_id=nofb")).body.data, []);
  });

  test("an add with is_feedback is stored as a normal add (as MemOS falls back), and the notice says why", async () => {
    const response = await plain.post("/product/add", { user_id: "nofb", is_feedback: true, messages: [{ role: "user", content: "Cheaper hotels, please." }] });
    assert.equal(response.status, 200);
    assert.equal(response.body.message, "Memory added successfully");
    assert.equal(response.body.data[0].memory, "Cheaper hotels, please.");
    assert.match(response.headers.get("x-memcube-notice") ?? "", /is_feedback: stored as a normal add/);
  });
});
