/**
 * The package memcube-client (packages/client): its committed build is what the build writes from
 * src/client and the server's schemas, it stands alone (no dependency, no server code, declarations
 * that need neither zod nor Node's types), and a plain JavaScript app uses it against a real server.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { CLIENT_DIST, buildClient } from "../../scripts/build-client.js";
import { startChatRig, type ChatRig } from "../support/chat.js";

const PACKAGE = fileURLToPath(new URL("../../packages/client/", import.meta.url));
const run = promisify(execFile);

/** A folder holding an app whose node_modules has memcube-client as `npm install packages/client` links it. */
function appFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "memcube-client-app-"));
  mkdirSync(path.join(folder, "node_modules"));
  symlinkSync(PACKAGE, path.join(folder, "node_modules", "memcube-client"), "dir");
  return folder;
}

test("the committed build of packages/client is what `npm run build:client` writes (run it after changing src/client or the schemas)", async () => {
  const built = await buildClient();
  assert.deepEqual(readdirSync(CLIENT_DIST).sort(), [...built.keys()].sort());
  for (const [name, text] of built) assert.equal(readFileSync(path.join(CLIENT_DIST, name), "utf8"), text, `packages/client/dist/${name} is stale`);
});

test("the package has no dependencies and its JavaScript loads nothing but its own files", () => {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE, "package.json"), "utf8")) as Record<string, unknown>;
  assert.equal(manifest.name, "memcube-client");
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) assert.equal(manifest[field], undefined, field);
  for (const file of readdirSync(CLIENT_DIST).filter((name) => name.endsWith(".js"))) {
    const source = readFileSync(path.join(CLIENT_DIST, file), "utf8");
    const specifiers = [...source.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((match) => match[1]);
    assert.deepEqual(
      specifiers.filter((specifier) => !/^\.\/[\w-]+\.js$/.test(specifier ?? "")),
      [],
      file,
    );
  }
});

test("its declarations stand alone: an app type-checks against them with the DOM's types only, and a wrong field is an error", () => {
  const folder = appFolder();
  try {
    const app = path.join(folder, "app.ts");
    writeFileSync(
      app,
      [
        'import { MemcubeClient, type ChatFrame, type SearchResult } from "memcube-client";',
        'const memcube = new MemcubeClient({ baseUrl: "http://127.0.0.1:8001", userId: "alice" });',
        'export const found: Promise<SearchResult> = memcube.search({ query: "x", top_k: 5 });',
        'export const text = (frame: ChatFrame): string => (frame.type === "text" ? frame.data : "");',
        "// @ts-expect-error top_k is a number",
        'memcube.search({ query: "x", top_k: "5" });',
        "",
      ].join("\n"),
    );
    const program = ts.createProgram([app], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.asynciterable.d.ts"],
      types: [],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((problem) => ts.flattenDiagnosticMessageText(problem.messageText, "\n"));
    assert.deepEqual(problems, []);
    const loaded = program.getSourceFiles().map((file) => file.fileName);
    assert.ok(loaded.some((file) => file.endsWith("dist/types.d.ts")));
    assert.deepEqual(
      loaded.filter((file) => /node_modules\/(zod|@types)\/|\/src\//.test(file)),
      [],
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

describe("from plain JavaScript (node, no TypeScript loader) against a real server", () => {
  let rig: ChatRig;
  let folder: string;
  before(async () => {
    rig = await startChatRig();
    folder = appFolder();
  });
  after(async () => {
    await rig.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test("add, search and a streamed chat", async () => {
    writeFileSync(
      path.join(folder, "app.mjs"),
      `import { MemcubeClient, MemcubeError } from "memcube-client";
const memcube = new MemcubeClient({ baseUrl: process.env.MEMCUBE_URL, userId: "pkg-alice" });
await memcube.add({ messages: "My sister Anna lives in Bolzano", async_mode: "sync" });
const found = await memcube.search({ query: "Where does Anna live?" });
let answer = "";
const types = [];
for await (const frame of memcube.chatStream({ query: "Where does Anna live?" })) {
  types.push(frame.type);
  if (frame.type === "text") answer += frame.data;
}
const refused = await memcube.search({ query: "x", top_k: 0 }).catch((error) => error instanceof MemcubeError && error.status);
console.log(JSON.stringify({ memory: found.text_mem[0]?.memories[0]?.memory, answer, types: [...new Set(types)], refused }));
`,
    );
    rig.llm.reply({ text: "Anna lives in Bolzano.", chunkSize: 5 });
    const { stdout } = await run(process.execPath, ["app.mjs"], { cwd: folder, env: { ...process.env, NODE_OPTIONS: "", MEMCUBE_URL: rig.server.url } });
    assert.deepEqual(JSON.parse(stdout), {
      memory: "My sister Anna lives in Bolzano",
      answer: "Anna lives in Bolzano.",
      types: ["status", "reference", "text", "time", "end"],
      refused: 422,
    });
  });
});
