/** The CLI as users run it (`node bin/memcube.mjs …`, a child process) against a real server and the fake model. */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { after, before, beforeEach, describe, test } from "node:test";
import { progressBar } from "../../src/cli/progress.js";
import { lastPrompt, startChatRig, type ChatRig } from "../support/chat.js";
import { startTestServer } from "../support/server.js";

let rig: ChatRig;
let scratch: string;
before(async () => {
  rig = await startChatRig();
  scratch = mkdtempSync(path.join(tmpdir(), "memcube-cli-"));
});
after(async () => {
  await rig.close();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => rig.llm.reset());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function memcube(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["bin/memcube.mjs", ...args],
      { env: { ...process.env, MEMCUBE_URL: rig.server.url, LOG_LEVEL: "silent", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? "");
  });
}

describe("add, search", () => {
  test("add remembers a message; search finds it", async () => {
    const added = await memcube(["add", "--user", "cli-ann", "My sister Anna lives in Bolzano"]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^added [0-9a-f-]{36} to cli-ann: My sister Anna lives in Bolzano\n$/);
    const found = await memcube(["search", "Where does Anna live?"], { MEMCUBE_USER: "cli-ann" });
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /^\d\.\d{3} {2}\[[0-9a-f]{8}\] {2}cli-ann {2}\d{4}-\d\d-\d\d {2}My sister Anna lives in Bolzano$/m);
    const json = await memcube(["search", "--json", "--user", "cli-ann", "Anna"]);
    assert.equal(JSON.parse(json.stdout).text_mem[0].memories[0].memory, "My sister Anna lives in Bolzano");
  });

  test("usage and connection problems are one line and a non-zero exit", async () => {
    const noUser = await memcube(["search", "x"]);
    assert.equal(noUser.code, 2);
    assert.match(noUser.stderr, /--user is required/);
    const down = await memcube(["add", "--user", "u", "--url", "http://127.0.0.1:9", "hello"]);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach memcube at http:\/\/127\.0\.0\.1:9/);
    const forbidden = await memcube(["search", "--user", "cli-mallory", "--cube", "cli-ann", "Anna"]);
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.stderr, /may not/);
  });
});

describe("with API keys", () => {
  test("a missing or unknown key names --api-key and MEMCUBE_API_KEY, not the HTTP header; a user's key stands for --user", async () => {
    const keyed = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify({ "sk-cli-key-0123456789abcdef": "cli-keyed" }) });
    try {
      const missing = await memcube(["search", "--user", "cli-keyed", "--url", keyed.url, "x"]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, "memcube: the server needs an API key: pass --api-key <key> or set MEMCUBE_API_KEY\n");
      const unknown = await memcube(["search", "--user", "cli-keyed", "--url", keyed.url, "x"], { MEMCUBE_API_KEY: "sk-wrong-key-0123456789abcdef" });
      assert.equal(unknown.stderr, "memcube: the server does not know this API key: pass --api-key <key> or set MEMCUBE_API_KEY\n");
      const found = await memcube(["search", "--user", "cli-keyed", "--url", keyed.url, "--api-key", "sk-cli-key-0123456789abcdef", "x"]);
      assert.equal(found.code, 0, found.stderr);
      // Without --user the key's user acts.
      const added = await memcube(["add", "--url", keyed.url, "--api-key", "sk-cli-key-0123456789abcdef", "I play the oboe"]);
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /^added [0-9a-f-]{36} to cli-keyed: I play the oboe\n$/);
    } finally {
      await keyed.cleanup();
    }
  });
});

describe("import, export", () => {
  test("import a JSONL file with a progress bar; export it back; the export imports into another cube", async () => {
    const file = path.join(scratch, "chat.jsonl");
    const lines = [
      { role: "user", content: "I started learning the cello", chat_time: "2026-01-03 09:00:00", session_id: "s1", message_id: "m1" },
      { role: "assistant", content: "Lovely, how are the lessons going?", chat_time: "2026-01-03 09:00:05", session_id: "s1", message_id: "m2" },
      { role: "user", content: "My teacher is called Irene", session_id: "s2" },
      { content: "I practise every morning" },
    ];
    writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n\n`);
    const imported = await memcube(["import", file, "--user", "cli-ivy", "--batch", "1"]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stderr, /importing into cli-ivy \[#{30}\] 4\/4 100%/);
    assert.match(imported.stderr, /imported 4 messages into cli-ivy \(4 memories\)/);
    const again = await memcube(["import", file, "--user", "cli-ivy"]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /imported 2 messages into cli-ivy \(2 memories\); skipped 2 it already holds \(same message_id\)/);

    const out = path.join(scratch, "export.jsonl");
    const exported = await memcube(["export", "cli-ivy", "--user", "cli-ivy", "--out", out, "--page-size", "2"]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, /exporting cli-ivy \[#{30}\] \d\/\d 100%/);
    const rows = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, string>);
    // messages with ids were not added twice; the two without ids were
    assert.deepEqual(rows.map((row) => row.content).sort(), [
      "I practise every morning",
      "I practise every morning",
      "I started learning the cello",
      "Lovely, how are the lessons going?",
      "My teacher is called Irene",
      "My teacher is called Irene",
    ]);
    const cello = rows.find((row) => row.content === "I started learning the cello");
    assert.equal(cello?.role, "user");
    assert.equal(cello?.session_id, "s1");
    assert.equal(cello?.message_id, "m1");
    assert.match(cello?.chat_time ?? "", /^2026-01-03T09:00:00/);
    assert.equal(rows.find((row) => row.content?.startsWith("Lovely"))?.role, "assistant");

    const copied = await memcube(["import", out, "--user", "cli-ivy", "--cube", "cli-ivy-copy"]);
    assert.equal(copied.code, 0, copied.stderr);
    const stdout = await memcube(["export", "cli-ivy-copy", "--user", "cli-ivy"]);
    assert.equal(stdout.stdout.trim().split("\n").length, 6);
  });

  test("re-running an import whose messages the cube all holds says so, and sends nothing", async () => {
    const file = path.join(scratch, "ids.jsonl");
    writeFileSync(file, '{"content":"I sail on Lake Garda","message_id":"g1"}\n{"content":"My boat is called Ora","message_id":"g2"}\n');
    const first = await memcube(["import", file, "--user", "cli-gil"]);
    assert.match(first.stderr, /imported 2 messages into cli-gil \(2 memories\)\n$/);
    const rerun = await memcube(["import", file, "--user", "cli-gil"]);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(rerun.stderr, "nothing to import: cli-gil already holds all 2 messages (same message_id)\n");
  });

  test("exporting an empty cube draws no 0/0 bar", async () => {
    await memcube(["add", "--user", "cli-empty", "--cube", "cli-empty-cube", "soon gone"]);
    const listed = await rig.server.post("/product/get_all", { user_id: "cli-empty", mem_cube_ids: ["cli-empty-cube"] });
    const id = listed.body.data[0].memories[0].nodes[0].id;
    assert.equal((await rig.server.post("/product/delete_memory", { user_id: "cli-empty", memory_ids: [id] })).status, 200);
    const exported = await memcube(["export", "cli-empty-cube", "--user", "cli-empty"]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(exported.stderr, "exported 0 memories from cli-empty-cube\n");
  });

  test("a bad line stops the import naming it, before anything is sent", async () => {
    const file = path.join(scratch, "bad.jsonl");
    writeFileSync(file, '{"content":"fine"}\n{"role":"user"}\n');
    const run = await memcube(["import", file, "--user", "cli-bad"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /line 2: needs a "content"/);
    assert.deepEqual((await rig.server.post("/product/exist_mem_cube_id", { mem_cube_id: "cli-bad" })).body.data, { "cli-bad": false });
  });
});

describe("progress bar", () => {
  test("off a terminal: a line per tenth, ending at 100% and the message", () => {
    const sink = new PassThrough();
    let written = "";
    sink.on("data", (chunk: Buffer) => (written += chunk.toString()));
    const bar = progressBar("work", 20, sink);
    for (let done = 1; done <= 20; done++) bar.update(done);
    bar.finish("all done");
    const lines = written.trim().split("\n");
    assert.equal(lines.length, 12);
    assert.equal(lines[0], "work [------------------------------]  0/20   0%");
    assert.equal(lines.at(-2), "work [##############################] 20/20 100%");
    assert.equal(lines.at(-1), "all done");
  });

  test("a total not known yet, or 0, draws no bar (never 0/0 100%): only the message", () => {
    for (const total of [undefined, 0]) {
      const sink = new PassThrough();
      let written = "";
      sink.on("data", (chunk: Buffer) => (written += chunk.toString()));
      const bar = progressBar("work", total, sink);
      bar.update(0);
      bar.finish("nothing to do");
      assert.equal(written, "nothing to do\n", String(total));
    }
  });

  test("on a terminal: one line redrawn with carriage returns", () => {
    const sink = Object.assign(new PassThrough(), { isTTY: true });
    let written = "";
    sink.on("data", (chunk: Buffer) => (written += chunk.toString()));
    const bar = progressBar("work", 2, sink);
    bar.update(1);
    bar.update(2);
    bar.finish();
    assert.equal(written.split("\n").length, 2);
    assert.equal(written.split("\r").length, 5);
    assert.ok(written.endsWith("\rwork [##############################] 2/2 100%\n"));
  });
});

/** Runs `memcube chat` inside a pseudo-terminal (util-linux `script`), feeding it lines as a user types them. */
function ptyChat(args: string[]) {
  const command = ["node", "bin/memcube.mjs", "chat", ...args].join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    env: { ...process.env, MEMCUBE_URL: rig.server.url, LOG_LEVEL: "silent", TERM: "xterm" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    get output() {
      return output;
    },
    type: (text: string) => child.stdin.write(text),
    async waitFor(pattern: RegExp, from = 0, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (!pattern.test(output.slice(from))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return output.length;
    },
    exited,
    kill: () => child.kill("SIGKILL"),
  };
}

const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replaceAll("\r", "");

describe("interactive chat", () => {
  test("in a pseudo-terminal: banner, prompt, streamed answers, history across turns, /exit", async () => {
    await memcube(["add", "--user", "cli-tty", "My sister Anna lives in Bolzano"]);
    rig.llm.reply({ chunkSize: 3, delayMs: 5 });
    const chat = ptyChat(["--user", "cli-tty", "--model", "deepseek-r1", "--session", "tty-1"]);
    try {
      let seen = await chat.waitFor(/you> /);
      assert.match(chat.output, /\x1b\[2mmemcube chat · http:\/\/127\.0\.0\.1:\d+ · user cli-tty · model deepseek-r1 · session tty-1/); // dimmed: stdout is a terminal
      chat.type("Where does Anna live?\r");
      seen = await chat.waitFor(/echo: Where does Anna live\?[\s\S]*you> /, seen);
      const request = rig.llm.requests.at(-1)?.body;
      assert.equal(request?.stream, true);
      assert.equal(request?.model, "deepseek-r1");
      assert.match(lastPrompt(rig.llm)[0]?.content ?? "", /My sister Anna lives in Bolzano/);

      chat.type("And what did I just ask?\r");
      await chat.waitFor(/echo: And what did I just ask\?[\s\S]*you> /, seen);
      assert.deepEqual(lastPrompt(rig.llm).slice(1), [
        { role: "user", content: "Where does Anna live?" },
        { role: "assistant", content: "echo: Where does Anna live?" },
        { role: "user", content: "And what did I just ask?" },
      ]);
      assert.equal(rig.llm.requests.length, 2);
      chat.type("/exit\r");
      assert.equal(await chat.exited, 0);
      assert.match(plain(chat.output), /memcube> echo: Where does Anna live\?\n/);
      assert.match(plain(chat.output), /bye\n/);
    } finally {
      chat.kill();
    }
  });

  test("reasoning is shown dimmed before the answer; an unknown model is refused at start", async () => {
    rig.llm.reply({ reasoning: "Thinking about tea.", text: "Jasmine." });
    const chat = ptyChat(["--user", "cli-tty", "--model", "deepseek-r1"]);
    try {
      const seen = await chat.waitFor(/you> /);
      chat.type("Tea?\r");
      await chat.waitFor(/Jasmine\.[\s\S]*you> /, seen);
      assert.match(chat.output, /\x1b\[2m\(thinking\) \x1b\[0m\x1b\[2mThinking/);
      assert.match(plain(chat.output), /memcube> \(thinking\) Thinking about tea\.\nJasmine\.\n/);
      chat.type("\x04"); // Ctrl-D
      assert.equal(await chat.exited, 0);
    } finally {
      chat.kill();
    }
    const unknown = await memcube(["chat", "--user", "cli-tty", "--model", "gpt-9"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown model 'gpt-9'; the server has: qwen2\.5-72b-instruct, deepseek-r1/);
  });

  test("with piped stdin (no terminal): plain text, one answer per line, ends at end of input", async () => {
    const run = await memcube(["chat", "--user", "cli-pipe"], {}, "Hello there\nSecond line\n");
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /\x1b\[/);
    assert.match(run.stdout, /memcube> echo: Hello there\n/);
    assert.match(run.stdout, /memcube> echo: Second line\n/);
  });
});
