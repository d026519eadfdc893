/** The DNS-rebinding rule of /mcp (src/api/mcp-origin.ts), case by case. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rebindingProblem } from "../../src/api/mcp-origin.js";

const loopback = { host: "127.0.0.1", corsOrigins: ["https://app.example.com"] };
const everywhere = { host: "0.0.0.0", corsOrigins: [] };

describe("/mcp Origin and Host", () => {
  test("agents send no Origin: a loopback Host passes, by name, IPv4 or IPv6, with or without a port", () => {
    for (const host of ["127.0.0.1:8001", "localhost:8001", "LOCALHOST", "[::1]:8001", "127.0.0.2:80"]) {
      assert.equal(rebindingProblem(loopback, undefined, host), undefined, host);
    }
  });

  test("a rebound page: its own name as Host, or as Origin, is refused", () => {
    assert.match(rebindingProblem(loopback, undefined, "evil.example:8001") ?? "", /^host: evil\.example:8001 is not a loopback name/);
    assert.match(rebindingProblem(loopback, "http://evil.example:8001", "127.0.0.1:8001") ?? "", /^origin: http:\/\/evil\.example:8001 may not call \/mcp/);
    assert.match(rebindingProblem(loopback, undefined, undefined) ?? "", /^host: \(none\)/);
    assert.match(rebindingProblem(loopback, "null", "127.0.0.1:8001") ?? "", /^origin: null/);
  });

  test("loopback origins and MEMCUBE_CORS_ORIGINS may call it", () => {
    assert.equal(rebindingProblem(loopback, "http://localhost:5173", "localhost:8001"), undefined);
    assert.equal(rebindingProblem(loopback, "http://[::1]:5173", "[::1]:8001"), undefined);
    assert.equal(rebindingProblem(loopback, "https://app.example.com", "127.0.0.1:8001"), undefined);
    assert.ok(rebindingProblem(loopback, "https://app.example.com.evil.example", "127.0.0.1:8001"));
  });

  test("a server on every address (keys required) takes any Host, but still checks Origin", () => {
    assert.equal(rebindingProblem(everywhere, undefined, "memcube.internal:8001"), undefined);
    assert.ok(rebindingProblem(everywhere, "https://evil.example", "memcube.internal:8001"));
  });
});
