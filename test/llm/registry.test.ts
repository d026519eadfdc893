import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseChatModelList } from "../../src/config/chat-models.js";
import { NoModelConfiguredError, UnknownModelError } from "../../src/llm/errors.js";
import { ModelRegistry } from "../../src/llm/registry.js";

const registry = new ModelRegistry(
  parseChatModelList(
    JSON.stringify([
      {
        backend: "qwen",
        api_base: "https://dashscope.example/compatible-mode/v1",
        api_key: "sk-qwen",
        model_name_or_path: "qwen-base",
        support_models: ["qwen-max", "qwen-plus"],
        context_window: 131072,
      },
      { backend: "deepseek", api_base: "https://ds.example/v1", api_key: "sk-ds", model_name_or_path: "deepseek-r1", support_models: ["deepseek-r1"] },
      { backend: "ollama", api_base: "http://127.0.0.1:11434/v1", model_name_or_path: "llama3.2" },
    ]),
  ),
);

describe("ModelRegistry", () => {
  test("the default is the first entry's first support_models name", () => {
    assert.equal(registry.defaultName, "qwen-max");
    assert.equal(registry.resolve().model, "qwen-max");
    assert.equal(registry.resolve("").model, "qwen-max");
    assert.equal(registry.resolve("  ").model, "qwen-max");
  });

  test("without support_models the default is model_name_or_path", () => {
    const only = new ModelRegistry(parseChatModelList(JSON.stringify([{ backend: "vllm", api_base: "http://h/v1", model_name_or_path: "local" }])));
    assert.equal(only.defaultName, "local");
    assert.equal(only.resolve().model, "local");
  });

  test("every support_models name and model_name_or_path select their entry, sent as themselves", () => {
    assert.equal(registry.resolve("qwen-plus").model, "qwen-plus");
    assert.equal(registry.resolve("qwen-base").model, "qwen-base");
    assert.equal(registry.resolve("qwen-plus").contextWindow, 131072);
    assert.equal(registry.resolve("deepseek-r1").model, "deepseek-r1");
    assert.equal(registry.resolve("deepseek-r1").contextWindow, 32768);
    assert.equal(registry.resolve("llama3.2").model, "llama3.2");
  });

  test("names lists every selectable name once, in order, and no keys", () => {
    assert.deepEqual(registry.names(), ["qwen-max", "qwen-plus", "qwen-base", "deepseek-r1", "llama3.2"]);
    assert.ok(!JSON.stringify(registry.names()).includes("sk-"));
  });

  test("an unknown name is a typed error naming it and the configured ones", () => {
    assert.throws(
      () => registry.resolve("gpt-5"),
      (error: unknown) =>
        error instanceof UnknownModelError &&
        error.requested === "gpt-5" &&
        error.available.includes("qwen-max") &&
        /Unknown model "gpt-5"; configured models: qwen-max, qwen-plus/.test(error.message),
    );
  });

  test("with nothing configured, resolve explains how to configure", () => {
    const empty = new ModelRegistry([]);
    assert.equal(empty.defaultName, undefined);
    assert.deepEqual(empty.names(), []);
    for (const name of [undefined, "anything"]) {
      assert.throws(
        () => empty.resolve(name),
        (error: unknown) => error instanceof NoModelConfiguredError && error.message.includes("CHAT_MODEL_LIST=[{") && !error.message.includes("\n"),
      );
    }
  });
});
