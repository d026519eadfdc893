import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PLAYGROUND_DIST } from "../../src/api/routes/playground.js";
import { startTestServer, type TestServer } from "../support/server.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A GET with the path sent exactly as written (fetch would resolve `..` before sending). */
function rawGet(url: string, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    http
      .get({ hostname, port, path: rawPath }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

function filesUnder(root: string, folder = ""): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(root, path.join(folder, entry.name)) : [path.join(folder, entry.name)]))
    .sort();
}

describe("/playground", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ MEMCUBE_API_KEYS: JSON.stringify({ "sk-playground-alice-4d1f8a": "alice" }) });
  });
  after(() => server.cleanup());

  test("the page and its assets need no key, while the API still does", async () => {
    for (const route of ["/playground", "/playground/"]) {
      const page = await fetch(`${server.url}${route}`);
      assert.equal(page.status, 200, route);
      assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
      assert.equal(page.headers.get("cache-control"), "no-cache");
      assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
      assert.match(await page.text(), /<title>memcube playground<\/title>/);
    }
    assert.equal((await server.get("/product/models")).status, 401);
  });

  test("each built file is served with its content type; hashed assets are cached for good", async () => {
    const html = await (await fetch(`${server.url}/playground`)).text();
    const referenced = [...html.matchAll(/(?:src|href)="(\/playground\/[^"]+)"/g)].map((match) => match[1] ?? "");
    const types: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml" };
    assert.ok(referenced.some((url) => url.endsWith(".js")) && referenced.some((url) => url.endsWith(".css")), html);
    for (const url of referenced) {
      const response = await fetch(`${server.url}${url}`);
      assert.equal(response.status, 200, url);
      assert.equal(response.headers.get("content-type"), types[path.extname(url)], url);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      const cache = response.headers.get("cache-control");
      assert.equal(cache, url.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache", url);
      assert.deepEqual(
        new Uint8Array(await response.arrayBuffer()),
        new Uint8Array(readFileSync(path.join(PLAYGROUND_DIST, url.slice("/playground/".length)))),
      );
    }
  });

  test("a page the browser already has is answered 304 Not Modified", async () => {
    const first = await fetch(`${server.url}/playground`);
    const etag = first.headers.get("etag");
    assert.ok(etag);
    const again = await fetch(`${server.url}/playground`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
  });

  test("nothing outside the build is reachable, however the path is written", async () => {
    const attempts = [
      "/playground/../package.json",
      "/playground/..%2fpackage.json",
      "/playground/%2e%2e/%2e%2e/package.json",
      "/playground/assets/..%2F..%2F..%2Fpackage.json",
      "/playground/..\\..\\package.json",
      "/playground//etc/passwd",
      "/playground/%2Fetc%2Fpasswd",
      "/playground/src/main.tsx",
      "/playground/index.html%00.js",
      "/playground/assets",
      "/playground/missing.js",
    ];
    for (const attempt of attempts) {
      const response = await rawGet(server.url, attempt);
      assert.ok(response.status === 404 || response.status === 401 || response.status === 400, `${attempt}: ${response.status}`);
      assert.doesNotMatch(response.body, /"name": "memcube"|root:x:0|import \{/, attempt);
    }
    const missing = await fetch(`${server.url}/playground/missing.js`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { code: 404, message: "no file /playground/missing.js", data: null });
  });
});

// Vite 8 needs Node 20.19+ (memcube itself runs on 20.12+): on an older Node the rebuild is skipped.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const viteSkip = major === 20 && minor < 19 ? `Vite 8 needs Node 20.19 or newer (this is ${process.versions.node})` : false;

describe("the committed build", { skip: viteSkip }, () => {
  test("matches what `npm run build:playground` makes from the sources (run it and commit playground/dist)", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "memcube-playground-"));
    try {
      const vite = path.join(ROOT, "node_modules", "vite", "bin", "vite.js");
      await promisify(execFile)(process.execPath, [vite, "build", "playground", "--outDir", out, "--emptyOutDir", "--logLevel", "error"], { cwd: ROOT });
      const fresh = filesUnder(out);
      assert.deepEqual(filesUnder(PLAYGROUND_DIST), fresh, "playground/dist is stale: run npm run build:playground and commit it");
      for (const file of fresh) {
        assert.ok(readFileSync(path.join(out, file)).equals(readFileSync(path.join(PLAYGROUND_DIST, file))), `${file} differs: run npm run build:playground`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
