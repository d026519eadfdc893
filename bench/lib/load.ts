/**
 * A mixed load on one memcube server over loopback: adds, searches, chat answers and chat streams
 * (against the fake model), from `concurrency` clients at once for a fixed time. Every add the
 * server acknowledged is looked for afterwards. Used by `npm run loadtest` (long) and by
 * test/server/load.test.ts (short). Bounded: it stops by itself after `seconds`.
 */
import { percentile, round } from "./stats.js";

export interface LoadOptions {
  url: string;
  seconds: number;
  concurrency: number;
  /** The users the clients act as, each with the API key to send (empty: open mode). */
  users: readonly { id: string; key?: string }[];
  /** Share of each operation, in that order: add, search, chat complete, chat stream. */
  mix?: { add: number; search: number; complete: number; stream: number };
  /** Deterministic choices (a seed for the operation mix). */
  seed?: number;
}

export type Operation = "add" | "search" | "complete" | "stream";

export interface RouteFigures {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  seconds: number;
  requests: number;
  throughput: number;
  errors: number;
  /** Status (or `network`) → count, over every request that did not succeed. */
  failures: Record<string, number>;
  /** A few failed requests, to see why. */
  examples: string[];
  routes: Record<Operation, RouteFigures>;
  acknowledgedAdds: number;
  lostAdds: number;
}

const WORDS = "garden coffee bicycle lantern river piano mango violet harbor pepper meadow castle orbit ember quartz willow".split(" ");

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const mix = options.mix ?? { add: 0.45, search: 0.35, complete: 0.12, stream: 0.08 };
  const next = random(options.seed ?? 7);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const latencies: Record<Operation, number[]> = { add: [], search: [], complete: [], stream: [] };
  const routeErrors: Record<Operation, number> = { add: 0, search: 0, complete: 0, stream: 0 };
  const failures: Record<string, number> = {};
  const examples: string[] = [];
  /** user → texts of acknowledged adds. */
  const acknowledged = new Map<string, string[]>();
  let sequence = 0;

  const headersOf = (user: { key?: string }) => ({
    "content-type": "application/json",
    ...(user.key ? { authorization: `Bearer ${user.key}` } : {}),
  });
  const fail = (operation: Operation, what: string, detail: string) => {
    routeErrors[operation] += 1;
    failures[what] = (failures[what] ?? 0) + 1;
    if (examples.length < 5) examples.push(`${operation}: ${what} ${detail.slice(0, 200)}`);
  };

  async function once(operation: Operation): Promise<void> {
    const user = pick(options.users);
    const id = (sequence += 1);
    const topic = `${pick(WORDS)} ${pick(WORDS)}`;
    let route: string;
    let body: unknown;
    let texts: string[] = [];
    switch (operation) {
      case "add":
        texts = Array.from({ length: 1 + (id % 3) }, (_, part) => `load note ${id}.${part}: I like ${topic} number ${id}`);
        route = "/product/add";
        body = { user_id: user.id, session_id: `s${id % 7}`, messages: texts.map((content, part) => ({ role: part % 2 ? "assistant" : "user", content })) };
        break;
      case "search":
        route = "/product/search";
        body = { user_id: user.id, query: `what about ${topic}?`, top_k: 5 };
        break;
      case "complete":
      case "stream":
        route = operation === "complete" ? "/product/chat/complete" : "/product/chat/stream";
        body = { user_id: user.id, query: `do I like ${topic}?`, top_k: 5, session_id: `s${id % 7}` };
        break;
    }
    const started = performance.now();
    try {
      const response = await fetch(`${options.url}${route}`, { method: "POST", headers: headersOf(user), body: JSON.stringify(body) });
      const text = await response.text();
      latencies[operation].push(performance.now() - started);
      if (response.status !== 200) return fail(operation, String(response.status), text);
      if (operation === "stream" && !text.trimEnd().endsWith('data: {"type":"end"}')) return fail(operation, "stream-error", text.slice(-200));
      if (operation === "add") acknowledged.set(user.id, [...(acknowledged.get(user.id) ?? []), ...texts]);
    } catch (error) {
      latencies[operation].push(performance.now() - started);
      fail(operation, "network", String((error as Error).cause ?? error));
    }
  }

  const operations: [Operation, number][] = [
    ["add", mix.add],
    ["search", mix.search],
    ["complete", mix.complete],
    ["stream", mix.stream],
  ];
  const total = operations.reduce((sum, [, share]) => sum + share, 0);
  const chooseOperation = (): Operation => {
    let roll = next() * total;
    for (const [operation, share] of operations) {
      roll -= share;
      if (roll < 0) return operation;
    }
    return "add";
  };

  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline) await once(chooseOperation());
    }),
  );
  const elapsed = (performance.now() - started) / 1000;

  // Every acknowledged add must be stored.
  let acknowledgedAdds = 0;
  let lostAdds = 0;
  for (const user of options.users) {
    const wanted = acknowledged.get(user.id) ?? [];
    acknowledgedAdds += wanted.length;
    if (wanted.length === 0) continue;
    const response = await fetch(`${options.url}/product/get_all`, { method: "POST", headers: headersOf(user), body: JSON.stringify({ user_id: user.id }) });
    const { data } = (await response.json()) as { data: { memories: { nodes: { memory: string }[] }[] }[] };
    const stored = new Set((data[0]?.memories[0]?.nodes ?? []).map((memory) => memory.memory));
    lostAdds += wanted.filter((text) => !stored.has(text)).length;
  }

  const routes = Object.fromEntries(
    (Object.keys(latencies) as Operation[]).map((operation) => {
      const samples = latencies[operation];
      return [
        operation,
        {
          requests: samples.length,
          errors: routeErrors[operation],
          p50: round(percentile(samples, 50), 1),
          p99: round(percentile(samples, 99), 1),
          max: round(samples.length ? Math.max(...samples) : Number.NaN, 1),
        },
      ];
    }),
  ) as Record<Operation, RouteFigures>;
  const requests = Object.values(routes).reduce((sum, figures) => sum + figures.requests, 0);
  const errors = Object.values(routeErrors).reduce((sum, count) => sum + count, 0);
  return { seconds: round(elapsed, 1), requests, throughput: round(requests / elapsed, 1), errors, failures, examples, routes, acknowledgedAdds, lostAdds };
}

/** The result as a few lines for a terminal or a README. */
export function formatLoad(result: LoadResult, concurrency: number): string {
  const lines = [
    `${result.requests} requests in ${result.seconds} s at concurrency ${concurrency}: ${result.throughput} requests/s, ${result.errors} errors`,
    `route            requests  errors  p50 ms  p99 ms  max ms`,
    ...(Object.entries(result.routes) as [Operation, RouteFigures][]).map(
      ([operation, figures]) =>
        `${operation.padEnd(16)} ${String(figures.requests).padStart(8)}  ${String(figures.errors).padStart(6)}  ${String(figures.p50).padStart(6)}  ${String(figures.p99).padStart(6)}  ${String(figures.max).padStart(6)}`,
    ),
    `acknowledged add messages: ${result.acknowledgedAdds}, lost: ${result.lostAdds}`,
  ];
  if (result.errors > 0) lines.push(`failures: ${JSON.stringify(result.failures)}`, ...result.examples);
  return lines.join("\n");
}
