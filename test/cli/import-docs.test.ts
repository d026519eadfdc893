/** `memcube import-docs` as users run it (a child process) against a real server: folders, progress, unchanged files skipped. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildPdf } from "../support/pdf.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
let folder: string;
before(async () => {
  server = await startTestServer({ MEMCUBE_DOCUMENT_MAX_BYTES: "4kb" });
  folder = mkdtempSync(path.join(tmpdir(), "memcube-docs-"));
});
after(async () => {
  await server.cleanup();
  rmSync(folder, { recursive: true, force: true });
});

function memcube(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/memcube.mjs", ...args],
      { env: { ...process.env, MEMCUBE_URL: server.url, MEMCUBE_USER: "docs-cli", LOG_LEVEL: "silent" }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe("memcube import-docs", () => {
  test("imports a folder, then skips what is unchanged and replaces what changed; a refused file is reported", async () => {
    mkdirSync(path.join(folder, "manuals"));
    writeFileSync(path.join(folder, "manuals", "boiler.md"), "# Boiler\n\n## Reset\n\nHold the red button for ten seconds to reset the boiler.\n");
    writeFileSync(path.join(folder, "manuals", "garage.pdf"), buildPdf([["Garage door"], ["The garage door code is changed every March."]]));
    writeFileSync(path.join(folder, ".hidden.md"), "# Hidden\n\nNot imported.");
    const first = await memcube(["import-docs", folder]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /importing documents into docs-cli \[#+\] 2\/2 100%/);
    assert.match(first.stderr, /2 added \(\d+ chunks\), 0 unchanged, 0 refused/);

    const found = await server.post("/product/search", { user_id: "docs-cli", query: "garage door code", top_k: 1 });
    const hit = found.body.data.text_mem[0].memories[0];
    assert.match(hit.memory, /changed every March/);
    assert.equal(hit.metadata.sources[0].file_info.page, 2);
    assert.equal(hit.metadata.sources[0].doc_path, "garage.pdf");

    writeFileSync(path.join(folder, "manuals", "boiler.md"), "# Boiler\n\n## Reset\n\nHold the green button for five seconds to reset the boiler.\n");
    writeFileSync(path.join(folder, "manuals", "huge.txt"), "filler text ".repeat(1000));
    const second = await memcube(["import-docs", folder]);
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, /1 added \(\d+ chunks\), 1 unchanged, 1 refused/);
    assert.match(second.stderr, /refused: .*huge\.txt: .*larger than the 4096-byte limit/);
    const all = await server.post("/product/get_all", { user_id: "docs-cli" });
    const texts: string[] = all.body.data[0].memories[0].nodes.map((node: { memory: string }) => node.memory);
    assert.ok(texts.some((text) => text.includes("green button")));
    assert.ok(!texts.some((text) => text.includes("red button")), "the old version's chunks are gone");
  });

  test("a path that does not exist is a usage error", async () => {
    const run = await memcube(["import-docs", path.join(folder, "missing")]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no such file or directory/);
  });
});
