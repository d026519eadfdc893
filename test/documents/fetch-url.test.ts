/**
 * Fetching documents by URL, SSRF-safe: hosts by allowlist, addresses checked after resolution
 * (with a fake resolver: no DNS here), redirects checked again, size and time limits. The only
 * server fetched from is on loopback, which the tests allow explicitly where a fetch must succeed.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { fetchDocument, isPublicAddress, type FetchPolicy } from "../../src/documents/index.js";

describe("fetching a document by URL", () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === "/doc.md") return void res.end("# Fetched\n\nA fetched document.");
      if (req.url === "/to-doc") return void res.writeHead(302, { location: "/doc.md" }).end();
      if (req.url === "/to-private") return void res.writeHead(302, { location: "http://intranet.test/secret" }).end();
      if (req.url === "/big") return void res.end("x".repeat(5000));
      if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2000);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const names: Record<string, string> = { "docs.test": "127.0.0.1", "intranet.test": "10.1.2.3", "rebind.test": "192.168.1.9" };
  const policy = (overrides: Partial<FetchPolicy> = {}): FetchPolicy => ({
    allowHosts: ["docs.test", "intranet.test", "rebind.test"],
    maxBytes: 1000,
    timeoutMs: 1000,
    maxRedirects: 2,
    resolve: (host) => Promise.resolve(names[host] ? [{ address: names[host], family: 4 as const }] : []),
    // The test server is on loopback: only it is allowed, every other non-public address is not.
    addressAllowed: (address, family) => address === "127.0.0.1" || isPublicAddress(address, family),
    ...overrides,
  });

  test("off by default: no host listed, nothing fetched", async () => {
    await assert.rejects(fetchDocument(policy({ allowHosts: [] }), `http://docs.test:${port}/doc.md`), /MEMCUBE_FETCH_URLS is off/);
  });

  test("an allowed host is fetched, redirects followed", async () => {
    assert.equal((await fetchDocument(policy(), `http://docs.test:${port}/doc.md`)).toString(), "# Fetched\n\nA fetched document.");
    assert.equal((await fetchDocument(policy(), `http://docs.test:${port}/to-doc`)).toString(), "# Fetched\n\nA fetched document.");
  });

  test("a host not listed, a private or loopback address (after resolution, or literal) is refused", async () => {
    await assert.rejects(fetchDocument(policy(), `http://other.test:${port}/doc.md`), /host 'other\.test' is not in MEMCUBE_FETCH_URLS/);
    await assert.rejects(fetchDocument(policy(), "http://rebind.test/doc.md"), /resolves to 192\.168\.1\.9, a private, loopback or reserved address/);
    await assert.rejects(
      fetchDocument(policy({ addressAllowed: isPublicAddress }), `http://docs.test:${port}/doc.md`),
      /resolves to 127\.0\.0\.1, a private, loopback or reserved address/,
    );
    await assert.rejects(fetchDocument(policy({ allowHosts: ["*"], addressAllowed: isPublicAddress }), "http://[::1]/x"), /private, loopback or reserved/);
    await assert.rejects(
      fetchDocument(policy({ allowHosts: ["*"], addressAllowed: isPublicAddress }), "http://169.254.169.254/latest"),
      /private, loopback or reserved/,
    );
    await assert.rejects(fetchDocument(policy(), `file:///etc/passwd`), /only http and https/);
  });

  test("a redirect to a private address is checked again and refused", async () => {
    await assert.rejects(fetchDocument(policy(), `http://docs.test:${port}/to-private`), /intranet\.test' resolves to 10\.1\.2\.3/);
  });

  test("size and time limits", async () => {
    await assert.rejects(fetchDocument(policy(), `http://docs.test:${port}/big`), (error: Error & { tooLarge?: boolean }) => error.tooLarge === true);
    await assert.rejects(fetchDocument(policy({ timeoutMs: 200 }), `http://docs.test:${port}/slow`), /took longer than 200 ms/);
  });

  test("public and non-public addresses", () => {
    for (const address of ["10.0.0.1", "127.0.0.1", "172.20.1.1", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1"]) {
      assert.equal(isPublicAddress(address, 4), false, address);
    }
    for (const address of ["::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"]) assert.equal(isPublicAddress(address, 6), false, address);
    assert.equal(isPublicAddress("93.184.216.34", 4), true);
    assert.equal(isPublicAddress("2606:4700::1111", 6), true);
  });
});
