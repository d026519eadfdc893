/**
 * Transaction scripts: a store policy written once, as a generator over a driver's primitives, and
 * run inside each driver's own transaction. SQLite's primitives (better-sqlite3) answer at once and
 * must run inside a synchronous transaction; PostgreSQL's answer with promises. A script yields
 * each primitive's answer through `use` and gets the settled value back, so the same code runs
 * synchronously under `runSync` and asynchronously under `runAsync`.
 */

/** A primitive's answer: the value itself (SQLite) or a promise of it (PostgreSQL). */
export type Step<T> = T | Promise<T>;

/** A policy that returns R, driven by one of the runners below. */
export type Script<R> = Generator<unknown, R, unknown>;

/** Inside a script: waits for a primitive's answer (`const rows = yield* use(tx.read(...))`). */
export function* use<T>(step: Step<T>): Generator<Step<T>, T, unknown> {
  // The runners send back exactly the settled value of what was yielded: a T.
  return (yield step) as T;
}

/** Runs a script whose primitives answer at once (inside a better-sqlite3 transaction). */
export function runSync<R>(script: Script<R>): R {
  let next = script.next();
  while (!next.done) {
    if (next.value instanceof Promise) throw new Error("a synchronous store primitive answered with a promise");
    next = script.next(next.value);
  }
  return next.value;
}

/** Runs a script whose primitives answer with promises (inside a PostgreSQL transaction). */
export async function runAsync<R>(script: Script<R>): Promise<R> {
  let next = script.next();
  while (!next.done) {
    let value: unknown;
    try {
      value = await next.value;
    } catch (error) {
      next = script.throw(error);
      continue;
    }
    next = script.next(value);
  }
  return next.value;
}
