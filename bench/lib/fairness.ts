/**
 * The fairness scenario of `npm run loadtest`: how long another user's small add and a long search
 * take while a maximal add (1,000 messages of 7,000 characters, ~7 MB) is being embedded, and how
 * soon the server is free again once the maximal add's client has gone.
 */
import { request } from "node:http";

export interface FairnessUser {
  id: string;
  key?: string;
}

export interface FairnessResult {
  smallAddAloneMs: number;
  smallAddDuringMs: number;
  longSearchAloneMs: number;
  longSearchDuringMs: number;
  smallAddAfterLeavingMs: number;
  /** Whether the maximal add was still running when the small add and the search were done. */
  maximalAddStillRunning: boolean;
}

const MAXIMAL_MESSAGES = 1000;
const MAXIMAL_CHARS = 7000;
const LONG_QUERY_CHARS = 100_000;
/** How long the maximal add runs before the others are measured: its embedding is well under way. */
const HEAD_START_MS = 2000;

const headersOf = (user: FairnessUser): Record<string, string> => ({
  "content-type": "application/json",
  ...(user.key ? { authorization: `Bearer ${user.key}` } : {}),
});

/** A POST on a connection of its own (one left idle by the mixed load may be closed under it). */
function post(url: string, user: FairnessUser, route: string, body: unknown): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(`${url}${route}`, {
      method: "POST",
      agent: false,
      headers: { ...headersOf(user), "content-length": String(Buffer.byteLength(payload)) },
    });
    outgoing.on("error", reject);
    outgoing.on("response", (response) => response.resume().on("end", () => resolve(response.statusCode ?? 0)));
    outgoing.end(payload);
  });
}

async function timedPost(url: string, user: FairnessUser, route: string, body: unknown): Promise<number> {
  const started = performance.now();
  const status = await post(url, user, route, body);
  if (status !== 200) throw new Error(`${route} answered ${status}`);
  return performance.now() - started;
}

let round = 0;
const smallAdd = (url: string, user: FairnessUser) => {
  round++;
  const messages = Array.from({ length: 6 }, (_, i) => ({
    role: i % 2 ? "assistant" : "user",
    content: `Fairness round ${round}, message ${i}: lunch at the usual place on Friday.`,
  }));
  return timedPost(url, user, "/product/add", { user_id: user.id, messages });
};
const longSearch = (url: string, user: FairnessUser) =>
  timedPost(url, user, "/product/search", {
    user_id: user.id,
    query: "where do we have lunch on Friday? ".repeat(LONG_QUERY_CHARS / 34).slice(0, LONG_QUERY_CHARS),
  });

/** Starts the maximal add; `leave()` disconnects its client. */
function startMaximalAdd(url: string, user: FairnessUser): { done: Promise<void>; leave(): void } {
  const filler = "the maximal add carries long messages about nothing in particular ".repeat(110);
  const messages = Array.from({ length: MAXIMAL_MESSAGES }, (_, i) => ({ role: "user", content: `maximal ${i}: ${filler}`.slice(0, MAXIMAL_CHARS) }));
  const body = JSON.stringify({ user_id: user.id, messages });
  const outgoing = request(`${url}/product/add`, {
    method: "POST",
    agent: false,
    headers: { ...headersOf(user), "content-length": String(Buffer.byteLength(body)) },
  });
  const done = new Promise<void>((resolve) => {
    outgoing.on("response", (response) => response.resume().on("end", () => resolve()));
    outgoing.on("error", () => resolve());
    outgoing.on("close", () => resolve());
  });
  outgoing.end(body);
  return { done, leave: () => outgoing.destroy() };
}

export async function runFairness(url: string, [big, other]: [FairnessUser, FairnessUser]): Promise<FairnessResult> {
  await smallAdd(url, other); // warm-up: the user's cube exists, the model is warm
  const smallAddAloneMs = await smallAdd(url, other);
  const longSearchAloneMs = await longSearch(url, other);
  const maximal = startMaximalAdd(url, big);
  let running = true;
  void maximal.done.then(() => (running = false));
  await new Promise((resolve) => setTimeout(resolve, HEAD_START_MS));
  const smallAddDuringMs = await smallAdd(url, other);
  const longSearchDuringMs = await longSearch(url, other);
  const maximalAddStillRunning = running;
  maximal.leave();
  await maximal.done;
  const smallAddAfterLeavingMs = await smallAdd(url, other);
  return { smallAddAloneMs, smallAddDuringMs, longSearchAloneMs, longSearchDuringMs, smallAddAfterLeavingMs, maximalAddStillRunning };
}

export function formatFairness(result: FairnessResult): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  return [
    `fairness: another user's requests while a maximal add (${MAXIMAL_MESSAGES} messages × ${MAXIMAL_CHARS} characters) is embedded` +
      (result.maximalAddStillRunning ? "" : " (it had already finished: figures not meaningful)"),
    `  6-message add              alone ${ms(result.smallAddAloneMs).padStart(9)}   during ${ms(result.smallAddDuringMs).padStart(9)}`,
    `  ${LONG_QUERY_CHARS.toLocaleString("en")}-character search  alone ${ms(result.longSearchAloneMs).padStart(9)}   during ${ms(result.longSearchDuringMs).padStart(9)}`,
    `  6-message add right after the maximal add's client left: ${ms(result.smallAddAfterLeavingMs)}`,
  ].join("\n");
}
