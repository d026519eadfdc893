import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/config-error.js";
import { DEFAULT_CONTEXT_WINDOW, parseChatModelList } from "../../src/config/chat-models.js";

const MEMOS_EXAMPLE = `[{"backend": "qwen", "api_base": "https://x/compatible-mode/v1", "api_key": "sk-1", "model_name_or_path": "qwen2.5-72b-instruct", "support_models": ["qwen2.5-72b-instruct"]}, {"backend": "deepseek", "api_base": "https://x/compatible-mode/v1", "api_key": "sk-2", "model_name_or_path": "deepseek-r1", "support_models": ["deepseek-r1"]}]`;

const SECRET = "sk-VERY-secret-key-0123456789";

const entry = (fields: Record<string, unknown>) => ({
  api_base: "https://api.example.com/v1",
  api_key: SECRET,
  model_name_or_path: "m",
  ...fields,
});
const list = (...entries: unknown[]) => JSON.stringify(entries);

/** Parses, expecting a ConfigError; checks it is one line, names the variable and never shows the key. */
function failure(raw: string): string {
  let caught: unknown;
  try {
    parseChatModelList(raw);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError for ${raw}`);
  assert.equal(caught.variable, "CHAT_MODEL_LIST");
  assert.ok(!caught.message.includes("\n"), `one line: ${caught.message}`);
  assert.ok(!caught.message.includes(SECRET), `key leaked: ${caught.message}`);
  assert.ok(!caught.message.includes("VERY-secret"), `key leaked: ${caught.message}`);
  return caught.message;
}

describe("parseChatModelList", () => {
  test("absent, empty, blank and null mean no models", () => {
    assert.deepEqual(parseChatModelList(undefined), []);
    assert.deepEqual(parseChatModelList(""), []);
    assert.deepEqual(parseChatModelList("   "), []);
    assert.deepEqual(parseChatModelList("null"), []);
    assert.deepEqual(parseChatModelList("[]"), []);
  });

  test("the MemOS example parses", () => {
    const entries = parseChatModelList(MEMOS_EXAMPLE);
    assert.equal(entries.length, 2);
    assert.deepEqual(entries[0], {
      backend: "qwen",
      apiBase: "https://x/compatible-mode/v1",
      apiKey: "sk-1",
      modelNameOrPath: "qwen2.5-72b-instruct",
      supportModels: ["qwen2.5-72b-instruct"],
      extraBody: {},
      temperature: undefined,
      maxTokens: undefined,
      topP: undefined,
      apiVersion: undefined,
      contextWindow: DEFAULT_CONTEXT_WINDOW,
      timeoutMs: 120_000,
    });
    assert.equal(entries[1]?.backend, "deepseek");
    assert.equal(entries[1]?.apiKey, "sk-2");
  });

  test("all fields, defaults, nulls and unknown keys", () => {
    const [full, minimal] = parseChatModelList(
      list(
        entry({
          backend: "vllm",
          support_models: ["a", "b", "a"],
          extra_body: { enable_thinking: false, chat_template_kwargs: { x: 1 } },
          temperature: 0.3,
          max_tokens: 512,
          top_p: 0.9,
          context_window: 8192,
          timeout: 2.5,
          mem_cube_id: "ignored",
        }),
        entry({ backend: null, support_models: null, extra_body: null, temperature: null, api_version: null, model_name_or_path: "n" }),
      ),
    );
    assert.equal(full?.backend, "vllm");
    assert.deepEqual(full?.supportModels, ["a", "b"]);
    assert.deepEqual(full?.extraBody, { enable_thinking: false, chat_template_kwargs: { x: 1 } });
    assert.equal(full?.temperature, 0.3);
    assert.equal(full?.maxTokens, 512);
    assert.equal(full?.topP, 0.9);
    assert.equal(full?.contextWindow, 8192);
    assert.equal(full?.timeoutMs, 2500);
    assert.ok(full && !("mem_cube_id" in full));
    assert.equal(minimal?.backend, "openai");
    assert.deepEqual(minimal?.supportModels, []);
    assert.deepEqual(minimal?.extraBody, {});
    assert.equal(minimal?.temperature, undefined);
  });

  test("every backend is accepted", () => {
    for (const backend of ["openai", "qwen", "deepseek", "ollama", "vllm", "minimax", "openai_new"]) {
      assert.equal(parseChatModelList(list(entry({ backend })))[0]?.backend, backend);
    }
    const [azure] = parseChatModelList(list(entry({ backend: "azure", api_version: "2024-10-21" })));
    assert.equal(azure?.apiVersion, "2024-10-21");
  });

  test("ollama and vllm may go without a key, others may not", () => {
    assert.equal(parseChatModelList(list(entry({ backend: "ollama", api_key: "" })))[0]?.apiKey, "");
    assert.equal(parseChatModelList(list(entry({ backend: "vllm", api_key: undefined })))[0]?.apiKey, "");
    assert.equal(parseChatModelList(list(entry({ backend: "ollama", api_key: null })))[0]?.apiKey, "");
    assert.match(failure(list(entry({ backend: "qwen", api_key: "" }))), /entry 1 \("m"\): api_key: required for backend qwen/);
    assert.match(failure(list(entry({ api_key: undefined }))), /entry 1 \("m"\): api_key: required for backend openai/);
  });

  test("malformed JSON names the position, never the text", () => {
    const message = failure(`[{"api_key": "${SECRET}" "api_base": 1}]`);
    assert.match(message, /^CHAT_MODEL_LIST: not valid JSON/);
  });

  test("a list is required and entries must be objects", () => {
    assert.match(failure(JSON.stringify(entry({}))), /expected a JSON list/);
    assert.match(failure(`[${JSON.stringify(entry({}))}, "x"]`), /entry 2: expected an object/);
    assert.match(failure(`[null]`), /entry 1: expected an object/);
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["missing api_base", { api_base: undefined }, /entry 2 \("deepseek-r1"\): api_base: required$/],
    ["bad api_base", { api_base: "not a url" }, /entry 2 \("deepseek-r1"\): api_base: expected an http\(s\) URL/],
    ["ftp api_base", { api_base: "ftp://x/v1" }, /api_base: expected an http\(s\) URL/],
    ["api_key not a string", { api_key: 12345 }, /entry 2 \("deepseek-r1"\): api_key: expected a string/],
    ["unknown backend", { backend: "bard" }, /entry 2 \("deepseek-r1"\): backend: expected one of openai, qwen/],
    ["missing model name", { model_name_or_path: undefined }, /entry 2: model_name_or_path: required$/],
    ["empty model name", { model_name_or_path: "  " }, /entry 2: model_name_or_path: must not be empty/],
    ["support_models not a list", { support_models: "x" }, /entry 2 \("deepseek-r1"\): support_models: /],
    ["empty support_models name", { support_models: ["ok", ""] }, /support_models\[1\]: must not be empty/],
    ["extra_body not an object", { extra_body: [1] }, /extra_body: expected a JSON object/],
    ["extra_body sets model", { extra_body: { model: "x", stream: true } }, /extra_body: must not set model, stream/],
    ["temperature too high", { temperature: 3 }, /temperature: /],
    ["temperature as text", { temperature: "0.5" }, /temperature: /],
    ["max_tokens fractional", { max_tokens: 1.5 }, /max_tokens: /],
    ["top_p above 1", { top_p: 1.5 }, /top_p: /],
    ["context_window tiny", { context_window: 10 }, /context_window: /],
    ["timeout negative", { timeout: -1 }, /timeout: /],
    ["azure without api_version", { backend: "azure" }, /entry 2 \("deepseek-r1"\): api_version: required for backend azure/],
  ];
  for (const [name, fields, expected] of cases) {
    test(`error: ${name} names the entry and the field`, () => {
      const raw = list(entry({ model_name_or_path: "qwen" }), entry({ model_name_or_path: "deepseek-r1", ...fields }));
      assert.match(failure(raw), expected);
    });
  }

  test("a name configured in two entries is refused, naming it", () => {
    const raw = list(
      entry({ model_name_or_path: "a", support_models: ["shared", "a"] }),
      entry({ model_name_or_path: "b" }),
      entry({ model_name_or_path: "shared" }),
    );
    assert.match(failure(raw), /model name "shared" is configured twice: in entry 1 \("a"\) and entry 3 \("shared"\)/);
  });

  test("the key never appears even when misplaced into another field", () => {
    failure(list(entry({ api_base: SECRET })));
    failure(list(entry({ backend: SECRET })));
    failure(list(entry({ temperature: SECRET })));
    failure(list(entry({ support_models: [SECRET, 1] })));
    failure(list(entry({ api_version: 1, backend: "azure" })));
  });
});
