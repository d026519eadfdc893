import assert from "node:assert/strict";
import path from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import Database from "better-sqlite3";
import { activeTexts, memories, prompts, script, startFineRig, taskStatus, waitIdle, type FineRig } from "../support/extraction.js";
import { textHits } from "../support/server.js";

let rig: FineRig;
before(async () => {
  rig = await startFineRig();
});
after(() => rig.close());
beforeEach(() => rig.llm.reset());

const post = (route: string, body: unknown) => rig.server.post(route, body);
const getMemory = (id: string, userId: string) => rig.server.get(`/product/get_memory/${id}?user_id=${userId}`);

function messagesInFile(cubeId: string): string[] {
  const db = new Database(path.join(rig.server.dataDir, "memcube.db"), { readonly: true });
  try {
    return db.prepare("SELECT content FROM messages WHERE cube_id = ? ORDER BY chat_time").pluck().all(cubeId) as string[];
  } finally {
    db.close();
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The number an update prompt gives the existing memory with this text. */
function numberOf(prompt: string, text: string): number {
  const line = prompt.split("\n").find((entry) => entry.includes(JSON.stringify(text)));
  const number = /\[(\d+)\]/.exec(line ?? "")?.[1];
  assert.ok(number, `the update prompt shows ${text}:\n${prompt}`);
  return Number(number);
}

describe("fine mode, asynchronous (the default)", () => {
  test("the add answers at once with the raw memories and their task; extraction then replaces them in search", async () => {
    script(rig.llm, {
      delayMs: 200,
      extract: () => memories({ memory: "The user has a golden retriever named Biscuit", key: "pet", tags: ["pets"], memory_type: "UserMemory", sources: [1] }),
    });
    const added = await post("/product/add", {
      user_id: "fa",
      messages: [{ role: "user", content: "My dog Biscuit is a golden retriever", chat_time: "2026-03-14 10:00:00", message_id: "m-dog" }],
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const [raw] = added.body.data;
    assert.equal(raw.memory, "My dog Biscuit is a golden retriever");
    assert.match(raw.task_id, /^[0-9a-f-]{36}$/);
    assert.ok(["waiting", "in_progress"].includes((await taskStatus(rig.server, "fa", raw.task_id)).status));

    await waitIdle(rig.server, "fa");
    assert.deepEqual(await taskStatus(rig.server, "fa", raw.task_id), { task_id: raw.task_id, status: "completed" });
    const search = await post("/product/search", { user_id: "fa", query: "What kind of dog does the user have?" });
    assert.deepEqual(textHits(search.body), ["The user has a golden retriever named Biscuit"]);
    const fact = search.body.data.text_mem[0].memories[0];
    assert.equal(fact.metadata.key, "pet");
    assert.deepEqual(fact.metadata.tags, ["pets"]);
    assert.equal(fact.metadata.chat_time, "2026-03-14T10:00:00.000Z");
    assert.deepEqual(
      fact.metadata.sources.map((source: { message_id: string }) => source.message_id),
      ["m-dog"],
    );

    const archived = await getMemory(raw.memory_id, "fa");
    assert.equal(archived.body.data.metadata.status, "archived");
    assert.equal(archived.body.data.history[0].replaced_by, fact.id);
    assert.equal(archived.body.data.history[0].reason, "refined by extraction");
    assert.deepEqual(messagesInFile("fa"), ["My dog Biscuit is a golden retriever"], "the message stays");
  });

  test("relative dates: the prompt carries each message's date and weekday, and the instruction; the memory is dated by its message", async () => {
    script(rig.llm, { extract: () => memories({ memory: "The user moved to Shenzhen in February 2026", key: "home city", sources: [1] }) });
    await post("/product/add", {
      user_id: "fdate",
      session_id: "move",
      messages: [{ role: "user", content: "I moved to Shenzhen last month", chat_time: "2026-03-14T10:00:00Z" }],
    });
    await waitIdle(rig.server, "fdate");
    const [prompt] = prompts(rig.llm, "extract");
    assert.ok(prompt?.user.includes('[1] 2026-03-14 10:00 UTC, Saturday · user: "I moved to Shenzhen last month"'), prompt?.user);
    assert.match(prompt?.system ?? "", /Turn relative expressions \("yesterday", "last month"/);
    assert.match(prompt?.system ?? "", /No memory may keep a relative time/);
    const stored = await post("/product/get_all", { user_id: "fdate" });
    const [fact] = stored.body.data[0].memories[0].nodes;
    assert.equal(fact.memory, "The user moved to Shenzhen in February 2026");
    assert.equal(fact.metadata.chat_time, "2026-03-14T10:00:00.000Z");

    // The next window of the session sees the earlier messages as context only.
    script(rig.llm, { extract: () => memories({ memory: "The user rents a flat near their office in Shenzhen" }) });
    await post("/product/add", {
      user_id: "fdate",
      session_id: "move",
      messages: [{ role: "user", content: "We found a flat near the office", chat_time: "2026-03-15T09:30:00Z" }],
    });
    await waitIdle(rig.server, "fdate");
    const second = prompts(rig.llm, "extract").at(-1)?.user ?? "";
    assert.match(
      second,
      /Earlier messages \(already remembered, for context only\):\n\[c1\] 2026-03-14 10:00 UTC, Saturday · user: "I moved to Shenzhen last month"/,
    );
    assert.match(second, /New messages \(extract from these\):\n\[1\] 2026-03-15 09:30 UTC, Sunday · user: "We found a flat near the office"/);
  });

  test("Chinese stays Chinese: a Chinese prompt, and English memories are sent back once to be written in Chinese", async () => {
    script(rig.llm, {
      extract: (prompt) =>
        prompt.turns === 2
          ? memories({ memory: "The user lives in Guangzhou", key: "home city" })
          : memories({ memory: "用户住在广州", key: "居住城市", tags: ["居住"], memory_type: "UserMemory", sources: [1] }),
    });
    await post("/product/add", { user_id: "fzh", messages: [{ role: "user", content: "我住在广州，平时坐地铁上班", chat_time: "2026-03-02 08:00:00" }] });
    await waitIdle(rig.server, "fzh");
    const asked = prompts(rig.llm, "extract");
    assert.equal(asked.length, 2);
    assert.match(asked[0]?.system ?? "", /长期记忆/);
    assert.match(asked[0]?.user ?? "", /\[1\] 2026-03-02 08:00 UTC, 星期一 · user: "我住在广州，平时坐地铁上班"/);
    const retry = asked[1]?.body.messages?.at(-1);
    assert.equal(retry?.role, "user");
    assert.match(String(retry?.content), /请用中文重新写出全部记忆/);
    assert.deepEqual(await activeTexts(rig.server, "fzh"), ["用户住在广州"]);

    // A later move, in Chinese: the old fact is found by its key and replaced.
    script(rig.llm, {
      extract: () => memories({ memory: "用户于2026年2月搬到深圳", key: "居住城市", memory_type: "UserMemory" }),
      update: (prompt) => JSON.stringify({ decisions: [{ new: 1, action: "update", target: numberOf(prompt.user, "用户住在广州") }] }),
    });
    await post("/product/add", { user_id: "fzh", messages: [{ role: "user", content: "我上个月搬到深圳了", chat_time: "2026-03-14 10:00:00" }] });
    await waitIdle(rig.server, "fzh");
    assert.match(prompts(rig.llm, "update")[0]?.system ?? "", /保持一致/);
    assert.deepEqual(await activeTexts(rig.server, "fzh"), ["用户于2026年2月搬到深圳"]);
    const search = await post("/product/search", { user_id: "fzh", query: "用户住在哪里？" });
    assert.deepEqual(textHits(search.body), ["用户于2026年2月搬到深圳"]);
  });

  test("a contradiction archives the old fact: history links it to its successor; deleting the new one forgets both", async () => {
    script(rig.llm, { extract: () => memories({ memory: "The user lives in Guangzhou", key: "home city", memory_type: "UserMemory" }) });
    await post("/product/add", { user_id: "fc", messages: [{ role: "user", content: "I live in Guangzhou", chat_time: "2026-01-10 09:00:00" }] });
    await waitIdle(rig.server, "fc");
    const [old] = (await post("/product/get_all", { user_id: "fc" })).body.data[0].memories[0].nodes;
    assert.equal(old.memory, "The user lives in Guangzhou");
    assert.equal(prompts(rig.llm, "update").length, 0, "nothing similar yet: added without asking");

    script(rig.llm, {
      extract: () => memories({ memory: "The user moved to Shenzhen in February 2026", key: "home city", memory_type: "UserMemory" }),
      update: (prompt) => JSON.stringify({ decisions: [{ new: 1, action: "update", target: numberOf(prompt.user, "The user lives in Guangzhou") }] }),
    });
    await post("/product/add", { user_id: "fc", messages: [{ role: "user", content: "I moved to Shenzhen last month", chat_time: "2026-03-14 10:00:00" }] });
    await waitIdle(rig.server, "fc");
    const [update] = prompts(rig.llm, "update");
    assert.match(update?.user ?? "", /New memory 1: 2026-03-14 · UserMemory · key "home city": "The user moved to Shenzhen in February 2026"/);
    assert.match(update?.user ?? "", /existing \[\d+\] 2026-01-10 · UserMemory · key "home city": "The user lives in Guangzhou"/);

    assert.deepEqual(await activeTexts(rig.server, "fc"), ["The user moved to Shenzhen in February 2026"]);
    const search = await post("/product/search", { user_id: "fc", query: "Guangzhou Shenzhen city where the user lives" });
    assert.deepEqual(textHits(search.body), ["The user moved to Shenzhen in February 2026"]);
    const current = search.body.data.text_mem[0].memories[0];
    const withHistory = await getMemory(current.id, "fc");
    assert.deepEqual(
      withHistory.body.data.history.map((version: { memory: string; status: string; replaced_by: string; reason: string }) => [
        version.memory,
        version.status,
        version.replaced_by,
        version.reason,
      ]),
      [["The user lives in Guangzhou", "archived", current.id, "updated by a newer fact"]],
    );
    // The same history in MemOS's form: one earlier version, replaced by a conflicting fact.
    assert.equal(withHistory.body.data.metadata.version, 2);
    assert.deepEqual(
      withHistory.body.data.metadata.history.map((version: { version: number; memory: string; update_type: string; archived_memory_id: string }) => [
        version.version,
        version.memory,
        version.update_type,
        version.archived_memory_id,
      ]),
      [[1, "The user lives in Guangzhou", "conflict", null]],
    );
    const archived = await getMemory(old.id, "fc");
    assert.equal(archived.body.data.metadata.status, "archived");

    const deleted = await post("/product/delete_memory", { user_id: "fc", memory_ids: [current.id] });
    assert.deepEqual(deleted.body.data, { status: "success", deleted: 1 });
    assert.equal((await getMemory(old.id, "fc")).body.data, null, "the earlier version goes with it");
    assert.deepEqual(messagesInFile("fc"), [], "and so do the messages both were made from");
  });

  test("a duplicate adds nothing: same text by rule, same meaning by the model's decision", async () => {
    script(rig.llm, { extract: () => memories({ memory: "The user drinks green tea every morning", key: "morning drink", memory_type: "PreferenceMemory" }) });
    await post("/product/add", { user_id: "fdup", messages: "I drink green tea every morning" });
    await waitIdle(rig.server, "fdup");
    const [fact] = (await post("/product/get_all", { user_id: "fdup", memory_type: "pref_mem" })).body.data[0].memories[0].nodes;

    script(rig.llm, { extract: () => memories({ memory: "the user drinks green tea every morning.", key: "morning drink", memory_type: "PreferenceMemory" }) });
    const again = await post("/product/add", { user_id: "fdup", messages: "Every morning I have green tea" });
    await waitIdle(rig.server, "fdup");
    assert.equal(prompts(rig.llm, "update").length, 0, "the same text needs no model");
    assert.deepEqual(await activeTexts(rig.server, "fdup"), ["The user drinks green tea every morning"]);
    const raw = await getMemory(again.body.data[0].memory_id, "fdup");
    assert.equal(raw.body.data.metadata.status, "archived");
    assert.equal(raw.body.data.history[0].replaced_by, fact.id, "the raw memory points to the memory that already said it");

    script(rig.llm, {
      extract: () => memories({ memory: "The user has green tea each morning", memory_type: "PreferenceMemory" }),
      update: (prompt) =>
        JSON.stringify({ decisions: [{ new: 1, action: "duplicate", target: numberOf(prompt.user, "The user drinks green tea every morning") }] }),
    });
    await post("/product/add", { user_id: "fdup", messages: "Green tea is how I start my day" });
    await waitIdle(rig.server, "fdup");
    assert.equal(prompts(rig.llm, "update").length, 1);
    assert.deepEqual(await activeTexts(rig.server, "fdup"), ["The user drinks green tea every morning"]);
  });

  test("nothing worth remembering: the job completes and the raw memory stays", async () => {
    script(rig.llm, { extract: () => '{"memories": []}' });
    const added = await post("/product/add", { user_id: "fempty", messages: "ok, thanks!" });
    await waitIdle(rig.server, "fempty");
    assert.equal((await taskStatus(rig.server, "fempty", added.body.data[0].task_id)).status, "completed");
    assert.deepEqual(await activeTexts(rig.server, "fempty"), ["ok, thanks!"]);
  });

  test("mode fast still stores one memory per message, with no task", async () => {
    const added = await post("/product/add", { user_id: "ffast", mode: "fast", messages: "Just a plain note" });
    assert.equal(added.body.data[0].task_id, undefined);
    assert.deepEqual((await rig.server.get("/product/scheduler/status?user_id=ffast")).body.data, []);
  });
});

describe("malformed JSON from small models", () => {
  test("code fences, prose and trailing commas are repaired without asking again", async () => {
    script(rig.llm, {
      extract: () =>
        'Sure! Here are the memories:\n```json\n{"memories": [{"memory": "The user is vegetarian", "memory_type": "UserMemory",},],}\n```\nHope this helps.',
    });
    await post("/product/add", { user_id: "fjson1", messages: "I have been vegetarian for ten years" });
    await waitIdle(rig.server, "fjson1");
    assert.equal(prompts(rig.llm, "extract").length, 1);
    assert.deepEqual(await activeTexts(rig.server, "fjson1"), ["The user is vegetarian"]);
  });

  test("an unusable answer is asked for once more, with the problem", async () => {
    script(rig.llm, { extract: (prompt) => (prompt.turns === 2 ? "{memories: [oops" : memories({ memory: "The user is allergic to shellfish" })) });
    await post("/product/add", { user_id: "fjson2", messages: "Shellfish makes me very sick" });
    await waitIdle(rig.server, "fjson2");
    const asked = prompts(rig.llm, "extract");
    assert.equal(asked.length, 2);
    assert.match(String(asked[1]?.body.messages?.at(-1)?.content), /Your answer could not be used: not valid JSON/);
    assert.equal(asked[1]?.body.messages?.[2]?.content, "{memories: [oops");
    assert.deepEqual(await activeTexts(rig.server, "fjson2"), ["The user is allergic to shellfish"]);
  });

  test("unusable twice: the task fails with the error, the raw memory stays searchable and the message stays", async () => {
    script(rig.llm, { extract: () => "The user seems to like jazz." });
    const added = await post("/product/add", { user_id: "fjson3", messages: "I listen to jazz records on Sundays" });
    await waitIdle(rig.server, "fjson3");
    assert.equal(prompts(rig.llm, "extract").length, 2, "parked at once: a third try would only repeat the answer");
    const status = await taskStatus(rig.server, "fjson3", added.body.data[0].task_id);
    assert.equal(status.status, "failed");
    assert.match(status.error ?? "", /^the extraction model's answer was unusable twice: no JSON object or array found$/);
    const search = await post("/product/search", { user_id: "fjson3", query: "jazz records" });
    assert.deepEqual(textHits(search.body), ["I listen to jazz records on Sundays"]);
    assert.deepEqual(messagesInFile("fjson3"), ["I listen to jazz records on Sundays"]);
  });
});

describe("failing and slow models", () => {
  test("a failing model is retried with backoff until it answers", async () => {
    script(rig.llm, { extract: () => memories({ memory: "The user runs a bakery" }) });
    rig.llm.failNext(503, undefined, 2);
    const added = await post("/product/add", { user_id: "fretry", messages: "I run a small bakery" });
    await waitIdle(rig.server, "fretry");
    assert.equal((await taskStatus(rig.server, "fretry", added.body.data[0].task_id)).status, "completed");
    assert.equal(rig.llm.requests.length, 3);
    assert.deepEqual(await activeTexts(rig.server, "fretry"), ["The user runs a bakery"]);
  });

  test("a model that keeps failing: the task is parked after 5 attempts with the upstream error; nothing is lost", async () => {
    script(rig.llm, { extract: () => memories({ memory: "never stored" }) });
    rig.llm.failNext(500, { error: { message: "model overloaded" } }, 50);
    const added = await post("/product/add", { user_id: "fpark", messages: "I collect vintage cameras" });
    await waitIdle(rig.server, "fpark");
    assert.equal(rig.llm.requests.length, 5);
    const status = await taskStatus(rig.server, "fpark", added.body.data[0].task_id);
    assert.equal(status.status, "failed");
    assert.match(status.error ?? "", /upstream HTTP 500.*model overloaded/);
    assert.doesNotMatch(status.error ?? "", /sk-reader-secret/);
    assert.deepEqual(await activeTexts(rig.server, "fpark"), ["I collect vintage cameras"]);
  });
});

describe("deleted memories are never re-derived", () => {
  test("deleted while the model works: nothing derived from the forgotten message is written", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    script(rig.llm, { holdUntil: released, extract: () => memories({ memory: "The user's bank PIN hint is their first dog's name", sources: [1] }) });
    const added = await post("/product/add", { user_id: "fdel1", messages: "My bank PIN hint is the name of my first dog" });
    await until(() => prompts(rig.llm, "extract").length === 1, "the extraction request");
    await post("/product/delete_memory", { user_id: "fdel1", memory_ids: [added.body.data[0].memory_id] });
    release(); // the model answers once the delete is acknowledged
    await waitIdle(rig.server, "fdel1");
    assert.equal((await taskStatus(rig.server, "fdel1", added.body.data[0].task_id)).status, "completed");
    assert.deepEqual(await activeTexts(rig.server, "fdel1"), []);
    assert.deepEqual(messagesInFile("fdel1"), []);
  });

  test("deleted before its job runs: the job never sends the message to the model", async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    script(rig.llm, { holdUntil: released, extract: () => memories({ memory: "The user likes chess" }) });
    await post("/product/add", { user_id: "fdel2", messages: "I like chess" });
    // Jobs of one cube run in order: this one waits behind the held one above.
    const secret = await post("/product/add", { user_id: "fdel2", messages: "My locker code is 4711" });
    await post("/product/delete_memory", { user_id: "fdel2", memory_ids: [secret.body.data[0].memory_id] });
    release();
    await waitIdle(rig.server, "fdel2");
    assert.equal((await taskStatus(rig.server, "fdel2", secret.body.data[0].task_id)).status, "completed");
    assert.ok(!rig.llm.requests.some((request) => JSON.stringify(request.body).includes("4711")), "the forgotten message reached the model");
    assert.deepEqual(await activeTexts(rig.server, "fdel2"), ["The user likes chess"]);
  });
});

describe("fine mode, synchronous", () => {
  test("sync waits for extraction and answers with what it produced", async () => {
    script(rig.llm, { delayMs: 100, extract: () => memories({ memory: "The user plays the cello", key: "instrument", memory_type: "UserMemory" }) });
    const added = await post("/product/add", { user_id: "fsync", async_mode: "sync", messages: "I play the cello in an orchestra" });
    assert.equal(added.status, 200);
    assert.deepEqual(
      added.body.data.map((item: { memory: string; memory_type: string }) => [item.memory, item.memory_type]),
      [["The user plays the cello", "UserMemory"]],
    );
    assert.equal((await taskStatus(rig.server, "fsync", added.body.data[0].task_id)).status, "completed");
  });

  test("derived memories carry the add's info, as the raw memories did (the job takes it from them)", async () => {
    script(rig.llm, { extract: () => memories({ memory: "The user plays the oboe", key: "instrument", memory_type: "UserMemory" }) });
    const info = { source: "import", batch: 7 };
    const added = await post("/product/add", { user_id: "finfo", async_mode: "sync", messages: "I play the oboe", info });
    assert.deepEqual(
      added.body.data.map((item: { memory: string }) => item.memory),
      ["The user plays the oboe"],
    );
    const task = await taskStatus(rig.server, "finfo", added.body.data[0].task_id);
    assert.equal(task.status, "completed");
    const all = await post("/product/get_all", { user_id: "finfo" });
    assert.deepEqual(
      all.body.data[0].memories[0].nodes.map((item: { metadata: { info: unknown } }) => item.metadata.info),
      [info],
    );
  });

  test("sync with a failing model answers with the raw memory; the task is retried in the background", async () => {
    script(rig.llm, { extract: () => memories({ memory: "The user speaks Portuguese" }) });
    rig.llm.failNext(503);
    const added = await post("/product/add", { user_id: "fsync2", async_mode: "sync", messages: "Falo português" });
    assert.deepEqual(
      added.body.data.map((item: { memory: string }) => item.memory),
      ["Falo português"],
    );
    await waitIdle(rig.server, "fsync2");
    assert.deepEqual(await activeTexts(rig.server, "fsync2"), ["The user speaks Portuguese"]);
  });
});

describe("preferences", () => {
  test("extracted preferences are PreferenceMemory: in pref_mem, not text_mem", async () => {
    script(rig.llm, {
      extract: () =>
        memories(
          { memory: "The user plans a trip to Guangzhou in July 2026", key: "summer trip", memory_type: "UserMemory" },
          { memory: "The user never stays in hostels", key: "accommodation", memory_type: "preference" },
        ),
    });
    await post("/product/add", {
      user_id: "fpref",
      messages: [{ role: "user", content: "Going to Guangzhou this July. I never stay in hostels.", chat_time: "2026-05-01 12:00:00" }],
    });
    await waitIdle(rig.server, "fpref");
    const search = await post("/product/search", { user_id: "fpref", query: "Which hostels or hotels in Guangzhou?" });
    assert.deepEqual(textHits(search.body), ["The user plans a trip to Guangzhou in July 2026"]);
    assert.deepEqual(
      search.body.data.pref_mem[0].memories.map((memory: { memory: string; metadata: { memory_type: string } }) => [
        memory.memory,
        memory.metadata.memory_type,
      ]),
      [["The user never stays in hostels", "PreferenceMemory"]],
    );
  });
});
