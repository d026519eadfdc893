/**
 * The fair queue in front of the embedding model, with a model the test answers by hand: which
 * texts go into which model call, in what order, and what an abort stops. No timings: each step
 * waits for the model call it expects.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EmbedScheduler, type SchedulerLimits } from "../../src/embed/embed-scheduler.js";

interface HeldCall {
  texts: string[];
  answered: boolean;
  answer(): void;
  fail(error: Error): void;
}

/** A model whose calls wait until the test answers them; a vector spells its text. */
function heldModel(limits: Partial<SchedulerLimits> = {}, concurrency = 1) {
  const calls: HeldCall[] = [];
  const waiters: { count: number; resolve(): void }[] = [];
  const scheduler = new EmbedScheduler({
    maxTexts: 4,
    maxPaddedChars: 1000,
    maxQueryTexts: 2,
    maxQueryCallsInARow: 3,
    ...limits,
    concurrency: () => concurrency,
    run: (texts) =>
      new Promise<Float32Array[]>((resolve, reject) => {
        const call: HeldCall = {
          texts,
          answered: false,
          answer: () => {
            call.answered = true;
            resolve(texts.map(spell));
          },
          fail: reject,
        };
        calls.push(call);
        for (const waiter of waiters.filter((entry) => calls.length >= entry.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }),
  });
  /** Resolves once the model has been called `count` times in all. */
  const called = (count: number) => (calls.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })));
  /** Answers the calls one by one, until `count` calls have been made (the last one unanswered). */
  const answerUntil = async (count: number) => {
    for (let index = 0; index < count - 1; index++) {
      await called(index + 1);
      calls[index]?.answer();
    }
    await called(count);
  };
  /** Answers every call, as they come, until `until` settles. */
  const answerAll = async <T>(until: Promise<T>): Promise<T> => {
    let settled = false;
    const settles = until.then(
      () => void (settled = true),
      () => void (settled = true),
    );
    for (let index = 0; ; index++) {
      await Promise.race([called(index + 1), settles]);
      const call = calls[index];
      if (call) call.answer();
      else if (settled) return until;
    }
  };
  const answeredCount = () => calls.filter((call) => call.answered).length;
  return { scheduler, calls, called, answerUntil, answerAll, answeredCount };
}

const spell = (text: string) => Float32Array.from(text, (char) => char.charCodeAt(0));
const read = (vectors: Float32Array[]) => vectors.map((vector) => String.fromCharCode(...vector));
const texts = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, "0")}`);
/** Which flows a model call served, by the texts' prefixes, e.g. "L" or "L+s". */
const flowsOf = (call: HeldCall | undefined) => [...new Set(call?.texts.map((text) => text[0]))].join("+");

describe("embedding scheduler", () => {
  test("a small add that arrives during a large one waits for one model call of it, not for all of it", async () => {
    const model = heldModel();
    const large = model.scheduler.submit(texts("L", 400));
    await model.called(1);
    const small = model.scheduler.submit(texts("s", 3));
    model.calls[0]?.answer();
    await model.called(2);
    // The second call serves the small add (and fills up with the large one's texts).
    assert.deepEqual(model.calls[1]?.texts.slice(0, 3), texts("s", 3));
    model.calls[1]?.answer();
    assert.deepEqual(read(await small), texts("s", 3));
    assert.equal(model.answeredCount(), 2, "the small add was answered after two model calls");
    assert.deepEqual(read(await model.answerAll(large)), texts("L", 400));
    assert.equal(model.calls.length, 101);
  });

  test("large calls take turns, one model call each", async () => {
    const model = heldModel();
    const flows = ["A", "B", "C"].map((prefix) => model.scheduler.submit(texts(prefix, 8)));
    await model.answerUntil(6);
    assert.deepEqual(model.calls.map(flowsOf), ["A", "B", "C", "A", "B", "C"]);
    model.calls[5]?.answer();
    const [a, b, c] = await Promise.all(flows);
    assert.deepEqual([read(a ?? []), read(b ?? []), read(c ?? [])], [texts("A", 8), texts("B", 8), texts("C", 8)]);
  });

  test("a search query goes ahead of waiting adds: the next model call takes it first, then fills up", async () => {
    const model = heldModel({ maxQueryTexts: 1 });
    const bulk = model.scheduler.submit(texts("L", 40));
    await model.called(1);
    const queries = texts("q", 5).map((text) => model.scheduler.submit([text], { priority: "query" }));
    await model.answerUntil(6);
    assert.deepEqual(model.calls.map(flowsOf), ["L", "q+L", "q+L", "q+L", "q+L", "q+L"]);
    assert.deepEqual(
      model.calls.slice(1).map((call) => call.texts[0]),
      texts("q", 5),
    );
    model.calls[5]?.answer();
    assert.deepEqual(
      (await Promise.all(queries)).map((vectors) => read(vectors)[0]),
      texts("q", 5),
    );
    assert.deepEqual(read(await model.answerAll(bulk)), texts("L", 40));
  });

  test("queries that leave no room in a model call still let adds have every fourth call", async () => {
    const model = heldModel({ maxPaddedChars: 10 }); // a query of 8 characters fills a call alone
    const bulk = model.scheduler.submit(texts("L", 3));
    await model.called(1);
    const queries = texts("q", 5).map((text) => model.scheduler.submit([text.padEnd(8, "?")], { priority: "query" }));
    await model.answerUntil(7);
    assert.deepEqual(model.calls.map(flowsOf), ["L", "q", "q", "q", "L", "q", "q"]);
    model.calls[6]?.answer();
    assert.equal((await Promise.all(queries)).length, 5);
    assert.deepEqual(read(await model.answerAll(bulk)), texts("L", 3));
  });

  test("small calls that arrive together share a model call, within its budget", async () => {
    const model = heldModel({ maxTexts: 8, maxPaddedChars: 20 });
    const calls = ["a1", "b1", "c1", "dddddddddddd"].map((text) => model.scheduler.submit([text]));
    await model.called(1);
    // Three short texts fit 20 padded characters; the long one (12 × 4 > 20) goes in the next call.
    assert.deepEqual(model.calls[0]?.texts, ["a1", "b1", "c1"]);
    model.calls[0]?.answer();
    await model.called(2);
    model.calls[1]?.answer();
    assert.deepEqual(
      (await Promise.all(calls)).map((vectors) => read(vectors)[0]),
      ["a1", "b1", "c1", "dddddddddddd"],
    );
  });

  test("an aborted call rejects at once, and none of its waiting texts reaches the model", async () => {
    const model = heldModel();
    const controller = new AbortController();
    const aborted = model.scheduler.submit(texts("X", 100), { signal: controller.signal });
    const other = model.scheduler.submit(texts("o", 6));
    await model.called(1);
    assert.equal(flowsOf(model.calls[0]), "X");
    controller.abort();
    await assert.rejects(aborted, { name: "AbortError" });
    assert.deepEqual(read(await model.answerAll(other)), texts("o", 6));
    await model.scheduler.idle();
    assert.deepEqual(model.calls.map(flowsOf), ["X", "o", "o"], "no model call after the abort carried its texts");
  });

  test("a call whose signal has already aborted makes no model call", async () => {
    const model = heldModel();
    await assert.rejects(model.scheduler.submit(["late"], { signal: AbortSignal.abort() }), { name: "AbortError" });
    await model.scheduler.idle();
    assert.equal(model.calls.length, 0);
  });

  test("a failed model call fails the calls it carried; the others go on", async () => {
    const model = heldModel();
    const first = model.scheduler.submit(texts("F", 10));
    const second = model.scheduler.submit(texts("g", 2));
    await model.called(1);
    model.calls[0]?.fail(new Error("the model broke"));
    await assert.rejects(first, /the model broke/);
    await model.called(2);
    assert.equal(flowsOf(model.calls[1]), "g");
    model.calls[1]?.answer();
    assert.deepEqual(read(await second), texts("g", 2));
    await model.scheduler.idle();
    assert.equal(model.calls.length, 2, "the failed call's other texts were dropped");
  });

  test("with two model calls at once, waiting texts are shared between them", async () => {
    const model = heldModel({ maxTexts: 32 }, 2);
    const call = model.scheduler.submit(texts("P", 10));
    await model.called(2);
    assert.deepEqual(
      model.calls.map((entry) => entry.texts.length),
      [5, 5],
    );
    for (const entry of model.calls) entry.answer();
    assert.deepEqual(read(await call), texts("P", 10));
  });
});
