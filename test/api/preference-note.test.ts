import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { preferenceContext } from "../../src/api/preference-note.js";

describe("search's pref_string and pref_note", () => {
  test("the preferences numbered under MemOS's heading, then the note, which is also pref_note", () => {
    const context = preferenceContext(["The user prefers quiet hotels.", "The user avoids peanuts."]);
    assert.ok(context);
    const [heading, first, second, note] = context.pref_string.split("\n");
    assert.deepEqual([heading, first, second], ["Explicit Preference:", "1. The user prefers quiet hotels.", "2. The user avoids peanuts."]);
    assert.equal(note, context.pref_note);
    assert.match(context.pref_note, /preferences/);
  });

  test("Chinese preferences get a Chinese note; no preferences, no context", () => {
    const context = preferenceContext(["用户喜欢安静的酒店。"]);
    assert.match(context?.pref_note ?? "", /偏好/);
    assert.equal(preferenceContext([]), undefined);
  });
});
