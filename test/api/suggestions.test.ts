/** POST /product/suggestions (MemOS's route, issue 17): next questions by the chat model, on both stores. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";
import { freshSchema, POSTGRES_SKIP, type TestSchema } from "../support/postgres.js";
import { startTestServer } from "../support/server.js";

function suggestionSuite(name: string, setup: () => Promise<{ env: Record<string, string>; drop?: () => Promise<void> }>, skip: string | false = false) {
  describe(`POST /product/suggestions (${name})`, { skip }, () => {
    let rig: ChatRig;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      const { env, drop: dropStore } = await setup();
      drop = dropStore;
      rig = await startChatRig(env);
      for (const messages of ["I am training for the Berlin marathon", "My knee hurts after long runs", "I switched to a plant-based diet"]) {
        const added = await rig.server.post("/product/add", { user_id: "runner", messages });
        assert.equal(added.status, 200);
      }
    });
    after(async () => {
      await rig?.close();
      await drop?.();
    });

    test("from the cube's latest memories: the model is shown them, asked in the language requested, and its questions come back", async () => {
      rig.llm.reply({
        text: '```json\n{"query": ["How should I taper before Berlin?", "  ", "What helps a sore knee?", "Plant protein for runners?", "extra"]}\n```',
      });
      const answer = await rig.server.post("/product/suggestions", { user_id: "runner", mem_cube_id: "runner", language: "en" });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {
        code: 200,
        message: "Suggestions retrieved successfully",
        data: { query: ["How should I taper before Berlin?", "What helps a sore knee?", "Plant protein for runners?"] },
      });
      const [system, user] = lastPrompt(rig.llm);
      assert.match(system?.content ?? "", /in English/);
      assert.match(system?.content ?? "", /\{"query": \[/);
      for (const memory of ["I am training for the Berlin marathon", "My knee hurts after long runs", "I switched to a plant-based diet"]) {
        assert.ok(user?.content.includes(JSON.stringify(memory)), `the model was shown "${memory}": ${user?.content}`);
      }
    });

    test("MemOS's default language is Chinese; with a conversation, the suggestions follow its last two messages only", async () => {
      rig.llm.reply({ text: '{"query": ["柏林马拉松前怎么减量？"]}' });
      const answer = await rig.server.post("/product/suggestions", {
        user_id: "runner",
        mem_cube_id: "runner",
        message: [
          { role: "user", content: "An older question about shoes" },
          { role: "user", content: [{ type: "text", text: "How long is my longest run?" }] },
          { role: "assistant", content: "Thirty kilometres, two weeks ago." },
        ],
      });
      assert.deepEqual(answer.body.data, { query: ["柏林马拉松前怎么减量？"] });
      const [system, user] = lastPrompt(rig.llm);
      assert.match(system?.content ?? "", /用中文/);
      assert.match(user?.content ?? "", /user: "How long is my longest run\?"\nassistant: "Thirty kilometres, two weeks ago."/);
      assert.doesNotMatch(user?.content ?? "", /shoes|Berlin marathon/);
    });

    test("an answer that is not the asked JSON gives no suggestions (200, query [])", async () => {
      rig.llm.reply({ text: "Sure! Here are some ideas: ask about running." });
      const answer = await rig.server.post("/product/suggestions", { user_id: "runner", mem_cube_id: "runner", language: "en" });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.data, { query: [] });
    });

    test("a cube nobody has written reads as empty; another user's cube is a 403 and the model is not called", async () => {
      rig.llm.reply({ text: '{"query": ["What can you remember for me?"]}' });
      const fresh = await rig.server.post("/product/suggestions", { user_id: "newcomer", mem_cube_id: "newcomer", language: "en" });
      assert.deepEqual(fresh.body.data, { query: ["What can you remember for me?"] });
      assert.match(lastPrompt(rig.llm)[1]?.content ?? "", /Nothing is known about the user yet/);
      const calls = rig.llm.requests.length;
      const stranger = await rig.server.post("/product/suggestions", { user_id: "stranger", mem_cube_id: "runner" });
      assert.equal(stranger.status, 403);
      assert.equal(stranger.body.message, "user 'stranger' may not read cube 'runner'");
      assert.equal(rig.llm.requests.length, calls);
    });

    test("validation: user_id and mem_cube_id are required, language is zh or en", async () => {
      assert.equal((await rig.server.post("/product/suggestions", { user_id: "runner" })).body.message, "mem_cube_id: field required");
      const language = await rig.server.post("/product/suggestions", { user_id: "runner", mem_cube_id: "runner", language: "fr" });
      assert.equal(language.status, 422);
      assert.match(language.body.message, /^language: /);
    });
  });
}

suggestionSuite("SQLite", async () => ({ env: {} }));
let schema: TestSchema | undefined;
suggestionSuite(
  "PostgreSQL",
  async () => {
    schema = await freshSchema("suggestions");
    return { env: { MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }, drop: () => schema?.drop() ?? Promise.resolve() };
  },
  POSTGRES_SKIP,
);

test("without a chat model: 503 saying what to set", async () => {
  const server = await startTestServer();
  try {
    const answer = await server.post("/product/suggestions", { user_id: "u", mem_cube_id: "u" });
    assert.equal(answer.status, 503);
    assert.match(answer.body.message, /CHAT_MODEL_LIST/);
  } finally {
    await server.cleanup();
  }
});
