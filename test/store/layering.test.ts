/**
 * The layers' rule, checked on the sources: the store and the embedders never import the memory
 * layer or the HTTP API above them (what they need from there is passed in by the caller).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

const SRC = path.resolve("src");
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function sourcesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The folders under src/ a file imports from (relative imports only: packages are not layers). */
function importedLayers(file: string): { specifier: string; layer: string }[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT)]
    .map((match) => match[1] ?? match[2] ?? "")
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => ({ specifier, layer: path.relative(SRC, path.resolve(path.dirname(file), specifier)).split(path.sep)[0] ?? "" }));
}

for (const [lower, forbidden] of [
  ["store", ["memory", "api", "chat", "ops"]],
  ["embed", ["memory", "api", "chat", "store", "ops"]],
] as const) {
  test(`src/${lower} imports nothing from ${forbidden.join(", ")}`, () => {
    const offences = sourcesUnder(path.join(SRC, lower)).flatMap((file) =>
      importedLayers(file)
        .filter(({ layer }) => (forbidden as readonly string[]).includes(layer))
        .map(({ specifier }) => `${path.relative(SRC, file)} imports ${specifier}`),
    );
    assert.deepEqual(offences, []);
  });
}
