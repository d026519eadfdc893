/**
 * Secrets never reach a client or a log through upstream error text, in any of the forms servers
 * echo them in (see src/redact.ts for the rule).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MIN_RUN, redactSecrets, secretForms } from "../../src/redact.js";
import { excerpt } from "../../src/upstream-http.js";

const KEY = "sk-proj-Zq8/Yw+T3xKp9=Lm2Vn7Rb4Hc1Jd6Fg";

/** Whether any run of MIN_RUN characters of any form of the key is left in the text. */
function leaks(text: string, secret = KEY): string | undefined {
  for (const form of secretForms(secret)) {
    for (let start = 0; start + MIN_RUN <= form.length; start++) {
      const run = form.slice(start, start + MIN_RUN);
      if (text.includes(run)) return run;
    }
  }
  return undefined;
}

describe("redactSecrets", () => {
  test("removes the given secrets and key-like tokens", () => {
    assert.equal(redactSecrets("key abcd-1234 rejected", ["abcd-1234"]), "key [redacted] rejected");
    assert.equal(redactSecrets("a long-key-x and long-key", ["long-key", "long-key-x"]), "a [redacted] and [redacted]");
    assert.equal(redactSecrets("Incorrect API key provided: sk-abc***wxyz.", []), "Incorrect API key provided: [redacted].");
    assert.equal(redactSecrets("header was Bearer eyJhbGciOi.x", []), "header was [redacted]");
    assert.equal(redactSecrets("model gpt-4o-mini not found", []), "model gpt-4o-mini not found");
    // Too short to redact without mangling the message.
    assert.equal(redactSecrets("a b c", ["a"]), "a b c");
  });

  const ECHOES: [string, string][] = [
    ["the whole key", `invalid key ${KEY} given`],
    ["its last 8 characters", `Incorrect API key provided: ****${KEY.slice(-8)}.`],
    ["its first 10 characters", `key ${KEY.slice(0, 10)}… is not valid`],
    ["a run from its middle", `unknown token ${KEY.slice(12, 20)}`],
    ["URL-encoded in a quoted URL", `GET https://proxy.example/v1?api_key=${encodeURIComponent(KEY)}&x=1 refused`],
    ["URL-encoded with lower-case hex", `key=${encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())}`],
    ["base64 in a Basic header", `Authorization: Basic ${Buffer.from(`user:${KEY}`).toString("base64")} rejected`],
    ["base64 at another alignment", `token ${Buffer.from(`ab:${KEY}`).toString("base64")}`],
    ["URL-safe base64", `t=${Buffer.from(`u:${KEY}`).toString("base64url")}`],
    ["JSON-escaped", JSON.stringify({ key: `${KEY}"\\` })],
  ];
  for (const [name, message] of ECHOES) {
    test(`${name}: nothing of ${MIN_RUN} or more characters of the key is left`, () => {
      const out = redactSecrets(message, [KEY]);
      assert.equal(leaks(out), undefined, `${out} still holds a piece of the key`);
      assert.match(out, /\[redacted\]/);
    });
  }

  test("the rest of the message stays readable", () => {
    const out = redactSecrets(`model server answered 401: Incorrect API key provided: ****${KEY.slice(-8)}. See https://platform.example/keys`, [KEY]);
    assert.equal(out, "model server answered 401: Incorrect API key provided: ****[redacted]. See https://platform.example/keys");
  });

  test("every secret given is redacted; short ones only whole; undefined ones are skipped", () => {
    const other = "embedder-key-0123456789";
    const out = redactSecrets(`a ${KEY.slice(-9)} b ${other.slice(3, 12)} c pass1 d`, [KEY, undefined, other, "pass1"]);
    assert.equal(out, "a [redacted] b [redacted] c [redacted] d");
    assert.equal(redactSecrets("pass1234 and pass", ["pass1"]), "pass1234 and pass".replace("pass1", "[redacted]"));
  });
});

describe("excerpt (embedder and reranker error bodies)", () => {
  test("removes every form of the service's key, after cutting to one short line", () => {
    const body = `{"error": "bad key ...${KEY.slice(-8)}", "url": "https://e.example/?k=${encodeURIComponent(KEY)}"}\n\n${"x".repeat(500)}`;
    const out = excerpt(body, KEY);
    assert.equal(leaks(out), undefined, out);
    assert.ok(out.length <= 201 && !out.includes("\n"));
  });
});
