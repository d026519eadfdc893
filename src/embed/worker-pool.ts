import { Worker } from "node:worker_threads";
import type { EmbedRequest, WorkerMessage } from "./local-worker.js";
import { MODEL_DIMENSION } from "./model.js";

/**
 * Worker threads running the bundled encoder, and the queue in front of them.
 *
 * - Each worker makes one model call at a time. Texts (windows) that arrive while every worker is
 *   busy wait in the queue and are merged into the next call, within the budget below, so eight
 *   concurrent searches cost two model calls rather than eight.
 * - Small calls (search queries, single messages) go ahead of large ones (imports), whose texts are
 *   sorted by length so that a model call pads its texts little. A large call still gets every
 *   `MAX_SMALL_CALLS_IN_A_ROW + 1`-th model call, so a stream of searches cannot stall an import.
 * - `workers` run all the time. While a large backlog waits and none is idle, up to `burstWorkers`
 *   more are started (an import then uses both cores of a two-core machine), and stopped again
 *   once idle for `burstIdleMs`.
 * - A worker that stops unexpectedly (a crash, a WebAssembly trap, being terminated) fails the
 *   call it was running with a clear error; an always-running one is started again and the queued
 *   texts wait for it. When no worker can start, the queued calls fail; the next call tries again.
 * - An idle worker does not keep the process alive.
 */

/** Texts in one model call, at most. Beyond ~16 a call gains little (~5%) and holds a worker longer. */
export const MAX_TEXTS_PER_MODEL_CALL = 32;

/**
 * Characters in one model call, counting every text as long as its longest (the model pads them
 * to one length), at most; a longer text goes alone. 600 characters take ~40 ms: a search that
 * arrives during an import waits about half that for the worker. (Larger calls gain little: the
 * model's cost is per token, plus ~2 ms per call.)
 */
export const MAX_PADDED_CHARS_PER_MODEL_CALL = 600;

/** Calls of at most this many texts count as small (a search query, a single message). */
export const SMALL_CALL_TEXTS = 4;

/**
 * Texts from small calls in one model call, at most. A call costs ~2 ms plus ~3 ms per query, so
 * eight queries arriving together are answered in two calls (~14 and ~28 ms) rather than one
 * (~26 ms for all) or eight (~5 ms apart, the last after ~40 ms).
 */
export const MAX_SMALL_TEXTS_PER_MODEL_CALL = 4;

/** Model calls in a row given to small calls while a large call waits. */
export const MAX_SMALL_CALLS_IN_A_ROW = 3;

/** Texts waiting in large calls that make a burst worker worth its start (~0.5 s of CPU). */
export const BURST_BACKLOG_TEXTS = 128;

/** How long a burst worker may stay idle before it is stopped. */
export const DEFAULT_BURST_IDLE_MS = 10_000;

interface CallState {
  failed: boolean;
}

interface WindowJob {
  text: string;
  call: CallState;
  resolve(vector: Float32Array): void;
  reject(error: Error): void;
}

export interface WorkerPoolOptions {
  /** Workers running all the time (at least 1). */
  workers: number;
  /** Workers added while a large backlog waits. */
  burstWorkers: number;
  /** How long a burst worker may stay idle before it is stopped. */
  burstIdleMs?: number;
}

export interface WorkerPoolStats {
  /** Calls of the model (each embeds a batch of windows). */
  modelCalls: number;
  /** Windows embedded by the model. */
  windowsEmbedded: number;
  /** Workers that stopped unexpectedly. */
  workerCrashes: number;
  /** Burst workers started so far. */
  burstsStarted: number;
  /** Workers running now (loading included). */
  workersRunning: number;
}

type SlotState = "starting" | "idle" | "busy" | "stopped";

interface Slot {
  readonly burst: boolean;
  worker: Worker | undefined;
  state: SlotState;
  /** The texts of the model call in progress, when busy. */
  batch: WindowJob[];
  requestId: number;
  /** The error that ended the worker, if it reported one before exiting. */
  error: Error | undefined;
  /** Being stopped on purpose (an idle burst worker): its exit is no crash. */
  retiring: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly burstIdleMs: number;
  private readonly small: WindowJob[] = [];
  private readonly large: WindowJob[] = [];
  private smallInARow = 0;
  private dispatchScheduled = false;
  private closing = false;
  /** Set when a burst worker could not start: no more are tried. */
  private burstFailed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly counters = { modelCalls: 0, windowsEmbedded: 0, workerCrashes: 0, burstsStarted: 0 };

  private constructor(options: WorkerPoolOptions) {
    const { workers, burstWorkers } = options;
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
    if (!Number.isInteger(burstWorkers) || burstWorkers < 0) {
      throw new RangeError(`burstWorkers must be a non-negative integer, got ${burstWorkers}`);
    }
    this.burstIdleMs = options.burstIdleMs ?? DEFAULT_BURST_IDLE_MS;
    const slot = (burst: boolean): Slot => ({
      burst,
      worker: undefined,
      state: "stopped",
      batch: [],
      requestId: 0,
      error: undefined,
      retiring: false,
      idleTimer: undefined,
    });
    this.slots = [...Array.from({ length: workers }, () => slot(false)), ...Array.from({ length: burstWorkers }, () => slot(true))];
  }

  /** Starts the always-running workers and waits until each has loaded the model. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all(pool.slots.filter((slot) => !slot.burst).map((slot) => pool.launch(slot)));
    } catch (error) {
      await pool.terminate();
      throw error;
    }
    return pool;
  }

  /** Unit vectors for the texts, one model-ready text each (no windowing here). */
  embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.closing) return Promise.reject(new Error("the local embedding workers are stopped"));
    if (texts.length === 0) return Promise.resolve([]);
    const call: CallState = { failed: false };
    const jobs: WindowJob[] = [];
    const vectors = texts.map(
      (text) => new Promise<Float32Array>((resolve, reject) => jobs.push({ text, call, resolve, reject })),
    );
    if (jobs.length <= SMALL_CALL_TEXTS) this.small.push(...jobs);
    else this.large.push(...jobs.sort((a, b) => b.text.length - a.text.length));
    // An always-running worker that could not start is tried again.
    for (const slot of this.slots) if (!slot.burst && slot.state === "stopped") this.launch(slot).catch(() => undefined);
    // Dispatch once the current task is done, so that calls made together share a model call.
    if (!this.dispatchScheduled) {
      this.dispatchScheduled = true;
      queueMicrotask(() => this.dispatch());
    }
    return Promise.all(vectors).catch((error: unknown) => {
      call.failed = true; // its texts still queued are dropped
      throw error;
    });
  }

  stats(): WorkerPoolStats {
    return { ...this.counters, workersRunning: this.slots.filter((slot) => slot.state !== "stopped").length };
  }

  /** Stops an always-running worker as a crash would (for tests): its call fails and it is started again. */
  async killWorker(index = 0): Promise<void> {
    await this.slots.filter((slot) => !slot.burst)[index]?.worker?.terminate();
  }

  /** Waits for the calls already made, then stops the workers. */
  async close(): Promise<void> {
    if (!this.closing) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        this.notifyIfIdle();
      });
    }
    await this.terminate();
  }

  private async terminate(): Promise<void> {
    this.closing = true;
    for (const slot of this.slots) clearTimeout(slot.idleTimer);
    await Promise.all(this.slots.map((slot) => slot.worker?.terminate()));
  }

  /** Starts the slot's worker; resolves once it has loaded the model. */
  private launch(slot: Slot): Promise<void> {
    let worker: Worker;
    try {
      worker = spawnWorker();
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const error = new Error(`could not start a worker thread for the local embedding model: ${reason}`, { cause });
      if (slot.burst) this.burstFailed = true;
      if (!this.slots.some((other) => other.state !== "stopped")) this.failQueued(error);
      return Promise.reject(error);
    }
    slot.worker = worker;
    slot.state = "starting";
    slot.error = undefined;
    slot.retiring = false;
    if (slot.burst) this.counters.burstsStarted++;
    return new Promise<void>((resolve, reject) => {
      worker.on("message", (message: WorkerMessage) => {
        if (message.type === "ready") {
          slot.state = "idle";
          worker.unref();
          resolve();
          this.dispatch();
        } else {
          this.settle(slot, message);
        }
      });
      worker.on("error", (error) => {
        slot.error ??= error;
      });
      worker.on("messageerror", (error) => {
        slot.error ??= error;
        void worker.terminate();
      });
      worker.on("exit", (code) => {
        if (slot.worker !== worker) return;
        const { state, batch } = slot;
        slot.worker = undefined;
        slot.state = "stopped";
        slot.batch = [];
        clearTimeout(slot.idleTimer);
        slot.idleTimer = undefined;
        if (this.closing || slot.retiring) return;
        const reason = slot.error ? slot.error.message : `exit code ${code}`;
        if (state === "starting") {
          const error = new Error(`could not load the local embedding model in a worker thread: ${reason}`, {
            cause: slot.error,
          });
          reject(error);
          if (slot.burst) this.burstFailed = true;
          if (!this.slots.some((other) => other.state !== "stopped")) this.failQueued(error);
          return;
        }
        this.counters.workerCrashes++;
        const error = new Error(
          `the local embedding worker stopped unexpectedly (${reason}) while embedding ${batch.length} ` +
            `text(s); they were not embedded, and the worker is being replaced`,
          { cause: slot.error },
        );
        for (const job of batch) job.reject(error);
        if (!slot.burst) this.launch(slot).catch(() => undefined); // a failed start fails the queued calls
        this.dispatch(); // a burst worker is started again if the backlog still calls for one
      });
    });
  }

  /** Hands queued texts to idle workers, one model call each; adds or stops burst workers. */
  private dispatch(): void {
    this.dispatchScheduled = false;
    for (;;) {
      const idle = this.slots.filter((slot) => slot.state === "idle");
      const [slot] = idle;
      if (!slot) break;
      const batch = this.takeBatch(idle.length);
      if (batch.length === 0) break;
      this.send(slot, batch);
    }
    if (!this.closing) {
      this.startBurstWorkerIfBacklogged();
      this.scheduleBurstRetirement();
    }
    this.notifyIfIdle();
  }

  /** The next model call's texts, dividing what is queued among the idle workers. */
  private takeBatch(idleWorkers: number): WindowJob[] {
    dropFailed(this.small);
    dropFailed(this.large);
    const largeTurn = this.large.length > 0 && (this.small.length === 0 || this.smallInARow >= MAX_SMALL_CALLS_IN_A_ROW);
    const queue = largeTurn ? this.large : this.small;
    if (largeTurn) this.smallInARow = 0;
    else if (this.large.length > 0) this.smallInARow++;
    const maxTexts = largeTurn ? MAX_TEXTS_PER_MODEL_CALL : MAX_SMALL_TEXTS_PER_MODEL_CALL;
    const limit = Math.min(maxTexts, Math.ceil(queue.length / idleWorkers));
    return queue.splice(0, countWithinBudget(queue, limit, MAX_PADDED_CHARS_PER_MODEL_CALL));
  }

  private startBurstWorkerIfBacklogged(): void {
    if (this.burstFailed || this.large.length < BURST_BACKLOG_TEXTS) return;
    // One at a time, and only when no worker is free or about to be.
    if (this.slots.some((slot) => slot.state === "idle" || slot.state === "starting")) return;
    const slot = this.slots.find((candidate) => candidate.burst && candidate.state === "stopped");
    if (slot) this.launch(slot).catch(() => undefined); // burstFailed is set on exit
  }

  /** Arms a timer on each idle burst worker (and disarms it on a busy one). */
  private scheduleBurstRetirement(): void {
    for (const slot of this.slots) {
      if (!slot.burst) continue;
      if (slot.state !== "idle") {
        clearTimeout(slot.idleTimer);
        slot.idleTimer = undefined;
      } else if (!slot.idleTimer) {
        slot.idleTimer = setTimeout(() => {
          slot.idleTimer = undefined;
          if (slot.state !== "idle" || !slot.worker) return;
          slot.retiring = true;
          void slot.worker.terminate();
        }, this.burstIdleMs);
        slot.idleTimer.unref();
      }
    }
  }

  private send(slot: Slot, batch: WindowJob[]): void {
    const worker = slot.worker;
    if (!worker) throw new Error("no worker to send to"); // idle implies a worker
    slot.state = "busy";
    slot.batch = batch;
    slot.requestId++;
    this.counters.modelCalls++;
    this.counters.windowsEmbedded += batch.length;
    worker.ref();
    worker.postMessage({ id: slot.requestId, texts: batch.map((job) => job.text) } satisfies EmbedRequest);
  }

  private settle(slot: Slot, message: Exclude<WorkerMessage, { type: "ready" }>): void {
    if (slot.state !== "busy" || message.id !== slot.requestId) return;
    const batch = slot.batch;
    slot.batch = [];
    slot.state = "idle";
    slot.worker?.unref();
    if (message.type === "vectors") {
      batch.forEach((job, i) => job.resolve(message.vectors.slice(i * MODEL_DIMENSION, (i + 1) * MODEL_DIMENSION)));
    } else {
      const error = new Error(`the local embedding model failed: ${message.message}`);
      for (const job of batch) job.reject(error);
    }
    this.dispatch();
  }

  private failQueued(error: Error): void {
    for (const job of this.small.splice(0)) job.reject(error);
    for (const job of this.large.splice(0)) job.reject(error);
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.small.length > 0 || this.large.length > 0) return;
    if (this.slots.some((slot) => slot.state === "busy")) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/**
 * How many of the first texts fit one model call: at most `maxTexts`, and at most `maxPaddedChars`
 * characters with every text counted as long as the longest (the first always fits).
 */
export function countWithinBudget(jobs: readonly { text: string }[], maxTexts: number, maxPaddedChars: number): number {
  let longest = 0;
  let count = 0;
  for (const job of jobs) {
    if (count >= maxTexts) break;
    const nextLongest = Math.max(longest, job.text.length, 1);
    if (count > 0 && (count + 1) * nextLongest > maxPaddedChars) break;
    longest = nextLongest;
    count++;
  }
  return count;
}

function dropFailed(queue: WindowJob[]): void {
  let kept = 0;
  for (const job of queue) if (!job.call.failed) queue[kept++] = job;
  queue.length = kept;
}

/**
 * A worker running `local-worker`. From TypeScript sources (run by tsx, whose loader a worker does
 * not inherit) it registers tsx first; from compiled JavaScript it is started directly.
 */
function spawnWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new Worker(new URL("./local-worker.js", here), WORKER_OPTIONS);
  const entry = new URL("./local-worker.ts", here).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap =
    `import(${JSON.stringify(tsx)})` +
    `.then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { ...WORKER_OPTIONS, eval: true });
}

/**
 * The worker allocates little on the JavaScript heap (the model lives in the WebAssembly heap), so
 * a small young generation is enough; V8's default lets it grow to ~30 MB more resident memory.
 */
const WORKER_OPTIONS = { resourceLimits: { maxYoungGenerationSizeMb: 4 } } as const;
