/**
 * memcube's answers against MemOS's (v2.0.31) response shapes, one test per MemOS-shaped probe.
 * A probe memcube already answers as MemOS does is a real test (it cannot regress); one listed in
 * MEMOS_KNOWN_GAPS is `todo`, naming the gap, until issue 17's work makes it pass.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { existsSync, readFileSync } from "node:fs";
import { MEMCUBE_DELIBERATE_DIFFERENCES, deliberateMismatches } from "./memos-differences.js";
import { MEMOS_KNOWN_GAPS } from "./memos-known-gaps.js";
import { runProbe, startProbeTarget, type ProbeTarget } from "./memos-probe-runner.js";
import { MEMOS_PREFERENCE_PROBES, MEMOS_PROBES, type Probe } from "./memos-probes.js";
import { MEMOS_ROUTES, memosRoute, parseRequest, requestFields } from "./memos-routes.js";

describe("the MemOS route description", () => {
  test("names MemOS's 25 server_api routes, each method and path once", () => {
    assert.equal(MEMOS_ROUTES.length, 25);
    assert.equal(new Set(MEMOS_ROUTES.map((route) => `${route.method} ${route.path}`)).size, 25);
    assert.equal(new Set(MEMOS_ROUTES.map((route) => route.id)).size, 25);
  });

  test("every probe names a described route and every route has a probe", () => {
    const probes = [...MEMOS_PROBES, ...MEMOS_PREFERENCE_PROBES];
    for (const probe of probes) memosRoute(probe.route);
    for (const route of MEMOS_ROUTES)
      assert.ok(
        probes.some((probe) => probe.route === route.id),
        `no probe for ${route.id}`,
      );
  });

  test("every known gap belongs to a probe", () => {
    const keys = new Set([...MEMOS_PROBES, ...MEMOS_PREFERENCE_PROBES].map((probe) => `${probe.route}: ${probe.name}`));
    for (const key of Object.keys(MEMOS_KNOWN_GAPS)) assert.ok(keys.has(key), `stale gap entry: ${key}`);
  });

  test("every deliberate difference names described routes, and where it is observed: probes that exist, or test files that do", () => {
    assert.equal(new Set(MEMCUBE_DELIBERATE_DIFFERENCES.map((entry) => entry.id)).size, MEMCUBE_DELIBERATE_DIFFERENCES.length);
    const keys = new Set([...MEMOS_PROBES, ...MEMOS_PREFERENCE_PROBES].map((probe) => `${probe.route}: ${probe.name}`));
    for (const entry of MEMCUBE_DELIBERATE_DIFFERENCES) {
      for (const id of entry.routes) if (id !== "*") memosRoute(id);
      const probes = Object.entries(entry.probes ?? {});
      const files = entry.guardedBy ?? [];
      assert.ok(probes.length + files.length > 0, `${entry.id}: observed nowhere`);
      for (const [key, mismatches] of probes) {
        assert.ok(keys.has(key), `${entry.id}: no probe ${key}`);
        assert.ok(mismatches.length > 0, `${entry.id}: ${key} lists no mismatch`);
        assert.equal(MEMOS_KNOWN_GAPS[key], undefined, `${entry.id}: ${key} is a known gap too`);
      }
      for (const file of files) assert.ok(existsSync(new URL(`../../${file}`, import.meta.url)), `${entry.id}: no file ${file}`);
    }
  });

  test("docs/api.md's MemOS compatibility table shows every deliberate difference, and only those", () => {
    const docs = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
    const section = docs.slice(docs.indexOf("## MemOS compatibility"));
    const table = section.slice(section.indexOf("**Where memcube deliberately differs.**"));
    const shown = [...table.matchAll(/^\| `([a-z-]+)` +\|/gm)].map((match) => match[1]);
    assert.deepEqual([...shown].sort(), MEMCUBE_DELIBERATE_DIFFERENCES.map((entry) => entry.id).sort());
  });

  test("a minimal search gets MemOS's defaults, and unknown keys are dropped, not refused", () => {
    const parsed = parseRequest(memosRoute("search"), { query: "q", user_id: "u", conversation_id: "" });
    assert.ok(parsed.success);
    const body = parsed.data as Record<string, unknown>;
    assert.equal(body.top_k, 10);
    assert.equal(body.relativity, 0.45);
    assert.equal(body.dedup, "mmr");
    assert.equal(body.search_memory_type, "All");
    assert.equal("conversation_id" in body, false);
  });

  test("the field table is derived from the schemas", () => {
    const fields = requestFields(memosRoute("delete_memory"));
    assert.deepEqual(
      fields.map((field) => field.name),
      ["writable_cube_ids", "memory_ids", "file_ids", "filter", "user_id", "session_id", "conversation_id", "auto_cleanup_working"],
    );
    assert.ok(fields.every((field) => !field.required));
    const topK = requestFields(memosRoute("search")).find((field) => field.name === "top_k");
    assert.deepEqual(topK, { name: "top_k", type: "integer", required: false, default: 10, minimum: 1 });
  });

  test("every probe MemOS accepts is a valid request by the description", () => {
    const context = { memoryIds: ["3f1c2b9a-0000-4000-8000-000000000001"], unique: "x" };
    for (const probe of [...MEMOS_PROBES, ...MEMOS_PREFERENCE_PROBES].filter((entry) => (entry.expectStatus ?? 200) === 200)) {
      const route = memosRoute(probe.route);
      const request = probe.request(context);
      if (route.body) {
        const parsed = parseRequest(route, request.body);
        assert.ok(parsed.success, `${probe.route}: ${probe.name}: ${parsed.error?.message ?? ""}`);
      }
      if (route.query) assert.ok(route.query.safeParse(numbersOf(request.query ?? {})).success, `${probe.route}: ${probe.name}`);
    }
  });

  test("probes MemOS refuses are refused by the description too", () => {
    for (const probe of MEMOS_PROBES.filter((entry) => entry.expectStatus === 422)) {
      const route = memosRoute(probe.route);
      const body = probe.request({ memoryIds: [], unique: "x" }).body;
      assert.equal(parseRequest(route, body).success, false, `${probe.route}: ${probe.name}`);
    }
  });
});

/** Query strings carry text; MemOS converts numeric parameters, as this does. */
function numbersOf(query: Record<string, string>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(query).map(([key, value]) => [key, /^\d+(\.\d+)?$/.test(value) ? Number(value) : value]));
}

/**
 * One test per probe, in order against one server: its mismatches must be exactly those its
 * deliberate differences list (none for most probes); a probe with a known gap is `todo`.
 */
function probeSuite(title: string, probes: readonly Probe[], options: { preferences?: boolean }): void {
  describe(title, () => {
    let target: ProbeTarget;
    before(async () => {
      target = await startProbeTarget(options);
    });
    after(async () => {
      await target.close();
    });

    for (const probe of probes) {
      const key = `${probe.route}: ${probe.name}`;
      const gap = MEMOS_KNOWN_GAPS[key];
      test(key, gap === undefined ? {} : { todo: gap }, async (t) => {
        const result = await runProbe(target, probe);
        const deliberate = deliberateMismatches(key);
        // A todo that passes is reported by node as a plain todo: say so, so its entry gets removed.
        if (gap !== undefined && result.mismatches.length === 0) t.diagnostic(`gap closed: delete "${key}" from memos-known-gaps.ts so this test guards it`);
        assert.deepEqual([...result.mismatches].sort(), [...deliberate].sort(), `${key}: HTTP ${result.status}`);
      });
    }
  });
}

// In order: the first adds store what the later reads and deletes use.
probeSuite("memcube answers MemOS-shaped requests as MemOS does", MEMOS_PROBES, {});
probeSuite("memcube fills MemOS's preference fields", MEMOS_PREFERENCE_PROBES, { preferences: true });
