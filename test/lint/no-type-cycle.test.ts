/**
 * The lint's cycle rules on a throwaway project: import-x/no-cycle sees no type-only import, so a
 * cycle closed by one is memcube/no-type-cycle's to report (issue 16 named such a cycle as a defect).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ESLint } from "eslint";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";
import memcube from "../../scripts/eslint/no-type-cycle.js";

let dir: string;

const files: Record<string, string> = {
  // a ↔ b: a value cycle.
  "a.ts": 'import { b } from "./b.js";\nexport const a = (): number => b() + 1;\n',
  "b.ts": 'import { a } from "./a.js";\nexport const b = (): number => (a.length > 0 ? 1 : 0);\n',
  // ta ↔ tb: `import type` both ways.
  "ta.ts": 'import type { TB } from "./tb.js";\nexport interface TA { b?: TB }\n',
  "tb.ts": 'import type { TA } from "./ta.js";\nexport interface TB { a?: TA }\n',
  // x → y → z → x, closed by one inline type import.
  "x.ts": 'import { y } from "./y.js";\nexport interface X { n: number }\nexport const x = (): number => y();\n',
  "y.ts": 'import { z } from "./z.js";\nexport const y = (): number => z(undefined);\n',
  "z.ts": 'import { type X } from "./x.js";\nexport const z = (value: X | undefined): number => value?.n ?? 0;\n',
  // plain → leaf: no cycle.
  "plain.ts": 'import type { Leaf } from "./leaf.js";\nexport const plain = (leaf: Leaf): number => leaf.n;\n',
  "leaf.ts": "export interface Leaf { n: number }\n",
  "tsconfig.json": JSON.stringify({
    compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, verbatimModuleSyntax: true },
    include: ["*.ts"],
  }),
};

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "memcube-lint-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("value cycles go to import-x/no-cycle, cycles closed by a type-only import to memcube/no-type-cycle, each once", async () => {
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ["**/*.ts"],
        languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: dir } },
        plugins: { "import-x": importX, memcube },
        settings: {
          "import-x/extensions": [".ts"],
          "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
          "import-x/resolver-next": [createNodeResolver({ extensions: [".ts"], extensionAlias: { ".js": [".ts", ".js"] } })],
        },
        rules: { "import-x/no-cycle": "error", "memcube/no-type-cycle": "error" },
      },
    ],
  });
  const results = await eslint.lintFiles(["*.ts"]);
  const found = results.flatMap((result) => result.messages.map((message) => `${path.basename(result.filePath)} ${message.ruleId ?? message.message}`)).sort();
  assert.deepEqual(found, [
    "a.ts import-x/no-cycle",
    "b.ts import-x/no-cycle",
    "ta.ts memcube/no-type-cycle",
    "tb.ts memcube/no-type-cycle",
    "x.ts memcube/no-type-cycle",
    "y.ts memcube/no-type-cycle",
    "z.ts memcube/no-type-cycle",
  ]);
});
