import { test } from "node:test";
import assert from "node:assert/strict";
import { redactSecrets } from "../../src/llm/redact.js";

test("redactSecrets removes the given secrets and key-like tokens", () => {
  assert.equal(redactSecrets("key abcd-1234 rejected", ["abcd-1234"]), "key [redacted] rejected");
  assert.equal(redactSecrets("a long-key-x and long-key", ["long-key", "long-key-x"]), "a [redacted] and [redacted]");
  assert.equal(redactSecrets("Incorrect API key provided: sk-abc***wxyz.", []), "Incorrect API key provided: [redacted].");
  assert.equal(redactSecrets("header was Bearer eyJhbGciOi.x", []), "header was [redacted]");
  assert.equal(redactSecrets("model gpt-4o-mini not found", []), "model gpt-4o-mini not found");
  // Too short to redact without mangling the message.
  assert.equal(redactSecrets("a b c", ["a"]), "a b c");
});
