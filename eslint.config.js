// Lint for memcube: type-aware TypeScript rules, no import cycles, and the layering of
// docs/architecture.md enforced as import boundaries (a lower layer never imports a higher one).
import { readdirSync } from "node:fs";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import memcube from "./scripts/eslint/no-type-cycle.js";

/**
 * The layers, lowest first: each folder of src/ → the folders it may import besides its own.
 * Of the files directly under src/, the composition roots (server.ts, cli.ts, …) import every
 * layer and no layer imports them; the others (logger.ts, redact.ts, …) are leaves any layer may
 * use, and they import no folder.
 */
const layers = {
  config: [],
  store: ["config"],
  embed: ["config"],
  llm: ["config"],
  rerank: ["config"],
  documents: ["config"],
  memory: ["config", "store", "embed", "llm", "rerank", "documents"],
  chat: ["config", "store", "embed", "llm", "rerank", "memory"],
  ops: ["config", "store", "embed", "llm", "rerank", "memory"],
  // The MCP server's tools run over the domain (stdio on a local store, and /mcp) or over the client (stdio with --url).
  mcp: ["config", "store", "embed", "llm", "rerank", "documents", "memory", "chat", "ops", "client"],
  api: ["config", "store", "embed", "llm", "rerank", "documents", "memory", "chat", "ops", "mcp"],
  // The client is the server's wire format seen from outside: it may read the API's schemas only.
  client: ["api/schemas"],
  cli: ["config", "store", "ops", "client", "mcp"],
};
const folders = Object.keys(layers);
const rootFiles = ["server.ts", "cli.ts", "cluster.ts", "migrate.ts"];
const roots = rootFiles.map((file) => `./src/${file}`);

const srcEntries = readdirSync(`${import.meta.dirname}/src`, { withFileTypes: true });
// A new folder must take its place in the table, or it would be outside every boundary.
const unplaced = srcEntries.filter((entry) => entry.isDirectory() && !(entry.name in layers)).map((entry) => `src/${entry.name}`);
if (unplaced.length > 0) throw new Error(`${unplaced.join(", ")}: not in the layer table of eslint.config.js (and docs/architecture.md)`);
const leaves = srcEntries
  .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !rootFiles.includes(entry.name))
  .map((entry) => `./src/${entry.name}`);

/** For each layer, every other top-level folder it may not import from. */
const boundaryZones = Object.entries(layers).map(([layer, may]) => ({
  target: `./src/${layer}`,
  from: [...folders.filter((other) => other !== layer && !may.includes(other)).map((other) => `./src/${other}`), ...roots],
  // "api/schemas" lets the layer read that one sub-folder of a folder it may not otherwise import.
  except: may.filter((allowed) => allowed.includes("/")).map((allowed) => `./${allowed.split("/").slice(1).join("/")}`),
  message: `src/${layer} may not import this: it sits higher in the layering (docs/architecture.md). Move the shared piece down, or pass it in.`,
}));
boundaryZones.push({
  target: leaves,
  from: [...folders.map((folder) => `./src/${folder}`), ...roots],
  message: "The files directly under src/ that every layer may use import no folder of src/ and no composition root (docs/architecture.md).",
});

const onlyApiKnowsHttp = {
  regex: "^(hono|@hono/)",
  message: "Only src/api knows HTTP (docs/architecture.md): take and return domain values, throw domain errors.",
};

export default tseslint.config(
  { ignores: ["node_modules/**", "playground/dist/**", "playground/**/*.js", "bench/results/**", "data*/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "import-x": importX, memcube },
    settings: {
      // Without these, import-x parses no .ts file when it follows imports, and no-cycle sees no
      // edge at all (a two-file cycle passes silently).
      "import-x/extensions": [".ts", ".js", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      // Sources import each other as `./x.js`, which TypeScript maps to `./x.ts`.
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js", ".mjs", ".json"], extensionAlias: { ".js": [".ts", ".js"] } })],
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      // import-x/no-cycle skips type-only imports; this catches the cycles they close.
      "memcube/no-type-cycle": "error",
      "import-x/no-self-import": "error",
      "@typescript-eslint/no-explicit-any": "error",
      // Store methods are async to fit one interface, though better-sqlite3 answers synchronously.
      "@typescript-eslint/require-await": "off",
      // An abort rejects with the signal's reason and a failure is passed on as caught (both typed
      // any/unknown): wrapping them would change what callers see. Rejecting with a literal is still an error.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // node:test's describe/test return promises that the runner itself awaits.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["describe", "test", "it", "suite", "before", "after", "beforeEach", "afterEach"] },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON answers as untyped data on purpose: what they assert is the wire shape.
    files: ["test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // Terminal output is asserted escape by escape (\x1b[2m …).
      "no-control-regex": "off",
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: boundaryZones }],
      "max-lines": ["error", { max: 600, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // Only api/ knows HTTP (and server.ts, which starts the HTTP server).
    files: ["src/**/*.ts"],
    ignores: ["src/api/**", "src/server.ts"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: [onlyApiKnowsHttp] }] },
  },
  {
    // The client runs anywhere fetch does: it takes the API's schemas as types, never as code.
    // (import-x/no-restricted-paths cannot tell a type import from a value import, so this says it.)
    files: ["src/client/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            onlyApiKnowsHttp,
            {
              regex: "(^|/)api/",
              allowTypeImports: true,
              message: "src/client may import the API's schemas as types only (`import type`): no server code in the client.",
            },
          ],
        },
      ],
    },
  },
  {
    // JavaScript files outside the TypeScript projects (bin/, configs): no type information.
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
