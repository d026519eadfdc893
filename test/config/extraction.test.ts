import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, parseConfig } from "../../src/config/index.js";

const list = JSON.stringify([
  {
    backend: "qwen",
    api_base: "https://dashscope.example/v1",
    api_key: "sk-q",
    model_name_or_path: "qwen-plus",
    support_models: ["qwen-plus", "qwen-turbo"],
    timeout: 30,
  },
]);

describe("the extraction model", () => {
  test("none by default: fine mode is off", () => {
    assert.equal(parseConfig({}).extraction, undefined);
  });

  test("MemOS's MEMRADER_* variables", () => {
    const config = parseConfig({ MEMRADER_API_BASE: "http://127.0.0.1:11434/v1", MEMRADER_API_KEY: "sk-r", MEMRADER_MODEL: "qwen2.5:7b" });
    assert.equal(config.extraction?.model, "qwen2.5:7b");
    assert.equal(config.extraction?.entry.apiBase, "http://127.0.0.1:11434/v1");
    assert.equal(config.extraction?.entry.apiKey, "sk-r");
  });

  test("the MEMREADER_* spelling too, and no key for a local server", () => {
    const config = parseConfig({ MEMREADER_API_BASE: "http://127.0.0.1:8000/v1", MEMREADER_MODEL: "local" });
    assert.equal(config.extraction?.model, "local");
    assert.equal(config.extraction?.entry.apiKey, "");
  });

  test("MEMCUBE_EXTRACT_MODEL: any name of a CHAT_MODEL_LIST entry, with that entry's settings", () => {
    const config = parseConfig({ CHAT_MODEL_LIST: list, MEMCUBE_EXTRACT_MODEL: "qwen-turbo" });
    assert.equal(config.extraction?.model, "qwen-turbo");
    assert.equal(config.extraction?.entry.modelNameOrPath, "qwen-plus");
    assert.equal(config.extraction?.entry.timeoutMs, 30_000);
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ MEMCUBE_EXTRACT_MODEL: "gpt-9" }, /^MEMCUBE_EXTRACT_MODEL: "gpt-9" is not a name in CHAT_MODEL_LIST \(configured: none\)$/],
    [{ CHAT_MODEL_LIST: list, MEMCUBE_EXTRACT_MODEL: "gpt-9" }, /configured: qwen-plus, qwen-turbo\)$/],
    [{ MEMRADER_MODEL: "m" }, /^MEMRADER_API_BASE: required when MEMRADER_MODEL is set/],
    [{ MEMREADER_API_KEY: "sk-x" }, /^MEMRADER_API_BASE: required when MEMREADER_API_KEY is set/],
    [{ MEMRADER_API_BASE: "http://x/v1" }, /^MEMRADER_MODEL: required when MEMRADER_API_BASE is set/],
    [{ MEMRADER_API_BASE: "ftp://x", MEMRADER_MODEL: "m" }, /^MEMRADER_API_BASE: expected an http\(s\) URL/],
    [
      { CHAT_MODEL_LIST: list, MEMCUBE_EXTRACT_MODEL: "qwen-plus", MEMRADER_API_BASE: "http://x/v1", MEMRADER_MODEL: "m" },
      /^MEMCUBE_EXTRACT_MODEL: set either/,
    ],
    [{ MEMCUBE_JOB_MAX_ATTEMPTS: "0" }, /^MEMCUBE_JOB_MAX_ATTEMPTS: /],
    [{ MEMCUBE_JOB_LEASE_SECONDS: "soon" }, /^MEMCUBE_JOB_LEASE_SECONDS: /],
    [{ MEMCUBE_JOB_WORKERS: "-1" }, /^MEMCUBE_JOB_WORKERS: /],
  ];
  for (const [env, message] of bad) {
    test(`a bad ${Object.keys(env).join("+")} is one line naming the variable`, () => {
      assert.throws(
        () => parseConfig(env),
        (error: Error) => error instanceof ConfigError && message.test(error.message) && !error.message.includes("\n"),
      );
    });
  }

  test("keys are never in the messages", () => {
    assert.throws(
      () => parseConfig({ MEMRADER_API_KEY: "sk-very-secret" }),
      (error: Error) => !error.message.includes("sk-very-secret"),
    );
  });

  test("job settings: defaults, and seconds as decimals", () => {
    assert.deepEqual(parseConfig({}).jobs, { workers: 2, maxAttempts: 5, retryBaseMs: 10_000, leaseMs: 60_000, pollMs: 1000 });
    const tuned = parseConfig({ MEMCUBE_JOB_RETRY_SECONDS: "0.5", MEMCUBE_JOB_LEASE_SECONDS: "2.5", MEMCUBE_JOB_WORKERS: "0" }).jobs;
    assert.equal(tuned.retryBaseMs, 500);
    assert.equal(tuned.leaseMs, 2500);
    assert.equal(tuned.workers, 0);
  });
});
