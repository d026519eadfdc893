import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CONFIGURATION_DOC, renderConfigurationDoc } from "../../scripts/config-docs.js";
import { DEFAULT_URL } from "../../src/cli/remote.js";
import { entrySchema } from "../../src/config/chat-models.js";
import { ConfigError, parseConfig } from "../../src/config/index.js";
import { CHAT_MODEL_FIELDS, CLIENT_VARIABLES, VARIABLE_GROUPS, type VariableDoc } from "../../src/config/variables.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const documented: VariableDoc[] = VARIABLE_GROUPS.flatMap((group) => group.variables);
const documentedNames = new Set(documented.map((variable) => variable.name));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every environment variable the source reads: `read(env, "X", …)`, `env.X`, `env["X"]`, and the variables ConfigErrors name. */
function variablesReadBySource(): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\bread(?:<[^>]*>)?\(env, "([A-Z][A-Z0-9_]+)"/g,
    /\benv\.([A-Z][A-Z0-9_]+)/g,
    /\benv\["([A-Z][A-Z0-9_]+)"\]/g,
    /new ConfigError\(\s*"([A-Z][A-Z0-9_]+)"/g,
  ];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) names.add(match[1] ?? "");
  }
  return names;
}

function rejects(env: Record<string, string>, variable: string): boolean {
  try {
    parseConfig(env);
    return false;
  } catch (error) {
    return error instanceof ConfigError && error.variable === variable;
  }
}

describe("docs/configuration.md", () => {
  test("the committed page is what `npm run docs:config` writes from the catalogue", () => {
    const committed = readFileSync(CONFIGURATION_DOC, "utf8");
    assert.ok(
      committed === renderConfigurationDoc(),
      "docs/configuration.md is stale: run `npm run docs:config` and commit the result (edit src/config/variables.ts, not the page)",
    );
  });

  test("every variable the source reads is documented, and every documented one is read", () => {
    const read = variablesReadBySource();
    const undocumented = [...read].filter((name) => !documentedNames.has(name));
    assert.deepEqual(undocumented, [], `read by src/ but missing from src/config/variables.ts: ${undocumented.join(", ")}`);
    // MEMRADER_API_KEY is composed from MemOS's prefix and the field name in src/config/extraction.ts.
    const composed = new Set(["MEMRADER_API_KEY"]);
    const stale = [...documentedNames].filter((name) => !read.has(name) && !composed.has(name));
    assert.deepEqual(stale, [], `documented but never read: ${stale.join(", ")}`);
    assert.ok(parseConfig({ MEMRADER_API_BASE: "http://127.0.0.1:9/v1", MEMRADER_MODEL: "m", MEMRADER_API_KEY: "k" }).extraction?.entry.apiKey === "k");
  });

  test("setting a variable to its documented default changes nothing", () => {
    for (const variable of documented) {
      if (variable.default === undefined) continue;
      if (CLIENT_VARIABLES.has(variable.name)) {
        assert.equal(variable.default, DEFAULT_URL, variable.name);
        continue;
      }
      const context = { ...variable.context };
      assert.deepEqual(parseConfig({ ...context, [variable.name]: variable.default }), parseConfig(context), `${variable.name}=${variable.default}`);
    }
  });

  test("each documented range is the one start-up accepts: both ends pass, just outside fails", () => {
    for (const variable of documented) {
      const range = variable.range;
      if (!range) continue;
      const context = { ...variable.context };
      const below = range.kind === "integer" || range.min <= 0 ? range.min - 1 : range.min / 2;
      for (const inside of [range.min, range.max]) {
        assert.doesNotThrow(() => parseConfig({ ...context, [variable.name]: String(inside) }), `${variable.name}=${inside}`);
      }
      for (const outside of [below, range.max + 1]) {
        assert.ok(rejects({ ...context, [variable.name]: String(outside) }, variable.name), `${variable.name}=${outside} should be refused`);
      }
      if (range.kind === "integer") {
        assert.ok(rejects({ ...context, [variable.name]: String(range.min + 0.5) }, variable.name), `${variable.name} takes integers only`);
      }
    }
  });

  test("the CHAT_MODEL_LIST field table lists exactly the fields an entry accepts", () => {
    assert.deepEqual(CHAT_MODEL_FIELDS.map((field) => field.name).sort(), Object.keys(entrySchema.in.shape).sort());
  });
});
