import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseConfig } from "../../src/config/index.js";

test("BUSINESS_CHAT_KEYS: a JSON list of keys, as MemOS reads it; none by default; a bad value names the variable, never a key", () => {
  assert.deepEqual(parseConfig({}).businessChatKeys, []);
  assert.deepEqual(parseConfig({ BUSINESS_CHAT_KEYS: '["bk-one", "bk-two"]' }).businessChatKeys, ["bk-one", "bk-two"]);
  assert.throws(
    () => parseConfig({ BUSINESS_CHAT_KEYS: "bk-secret-one" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^BUSINESS_CHAT_KEYS: not valid JSON/);
      assert.doesNotMatch(error.message, /bk-secret-one/);
      return true;
    },
  );
  assert.throws(() => parseConfig({ BUSINESS_CHAT_KEYS: '{"key": "bk-secret"}' }), /BUSINESS_CHAT_KEYS: expected a JSON list of strings/);
  assert.throws(() => parseConfig({ BUSINESS_CHAT_KEYS: '["bk-secret", ""]' }), /BUSINESS_CHAT_KEYS: entry 1: expected a non-empty string/);
});
