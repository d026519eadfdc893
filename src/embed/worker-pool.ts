import type { Worker } from "node:worker_threads";
import { EmbedScheduler, type SubmitOptions } from "./embed-scheduler.js";

export { countWithinBudget } from "./embed-scheduler.js";
import type { EmbedRequest, WorkerMessage } from "./local-worker.js";
import { MODEL_DIMENSION } from "./model.js";
import { spawnModuleWorker } from "./spawn-worker.js";

/**
 * Worker threads running the bundled encoder: their lifecycle. Which texts go into which model
 * call, and in what order, is the fair queue's business (`embed-scheduler.ts`); this file gives
 * it one model call at a time on an idle worker.
 *
 * - Each worker makes one model call at a time.
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

/**
 * Texts from search queries in one model call, at most. A call costs ~2 ms plus ~3 ms per query, so
 * eight queries arriving together are answered in two calls (~14 and ~28 ms) rather than one
 * (~26 ms for all) or eight (~5 ms apart, the last after ~40 ms).
 */
export const MAX_QUERY_TEXTS_PER_MODEL_CALL = 4;

/** Model calls in a row given to search queries while other texts wait. */
export const MAX_QUERY_CALLS_IN_A_ROW = 3;

/** Texts waiting that make a burst worker worth its start (~0.5 s of CPU). */
export const BURST_BACKLOG_TEXTS = 128;

/** How long a burst worker may stay idle before it is stopped. */
export const DEFAULT_BURST_IDLE_MS = 10_000;

export interface WorkerPoolOptions {
  /** Workers running all the time (at least 1). */
  workers: number;
  /** Workers added while a large backlog waits. */
  burstWorkers: number;
  /** How long a burst worker may stay idle before it is stopped. */
  burstIdleMs?: number;
  /** Asked before a burst worker starts: false keeps the backlog on the running workers (e.g. no core is idle). */
  burstAllowed?: () => boolean;
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

interface ModelCall {
  texts: number;
  resolve(vectors: Float32Array[]): void;
  reject(error: Error): void;
}

interface Slot {
  readonly burst: boolean;
  worker: Worker | undefined;
  state: SlotState;
  /** The model call in progress, when busy. */
  call: ModelCall | undefined;
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
  private readonly burstAllowed: () => boolean;
  private readonly scheduler: EmbedScheduler;
  private closing = false;
  /** Set when a burst worker could not start: no more are tried. */
  private burstFailed = false;
  private readonly counters = { modelCalls: 0, windowsEmbedded: 0, workerCrashes: 0, burstsStarted: 0 };

  private constructor(options: WorkerPoolOptions) {
    const { workers, burstWorkers } = options;
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
    if (!Number.isInteger(burstWorkers) || burstWorkers < 0) {
      throw new RangeError(`burstWorkers must be a non-negative integer, got ${burstWorkers}`);
    }
    this.burstIdleMs = options.burstIdleMs ?? DEFAULT_BURST_IDLE_MS;
    this.burstAllowed = options.burstAllowed ?? (() => true);
    const slot = (burst: boolean): Slot => ({
      burst,
      worker: undefined,
      state: "stopped",
      call: undefined,
      requestId: 0,
      error: undefined,
      retiring: false,
      idleTimer: undefined,
    });
    this.slots = [...Array.from({ length: workers }, () => slot(false)), ...Array.from({ length: burstWorkers }, () => slot(true))];
    this.scheduler = new EmbedScheduler({
      maxTexts: MAX_TEXTS_PER_MODEL_CALL,
      maxPaddedChars: MAX_PADDED_CHARS_PER_MODEL_CALL,
      maxQueryTexts: MAX_QUERY_TEXTS_PER_MODEL_CALL,
      maxQueryCallsInARow: MAX_QUERY_CALLS_IN_A_ROW,
      run: (texts) => this.runOnIdleWorker(texts),
      concurrency: () => this.slots.filter((candidate) => candidate.state === "idle" || candidate.state === "busy").length,
      afterDispatch: () => this.adjustBurstWorkers(),
    });
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

  /**
   * Unit vectors for the texts, one model-ready text each (no windowing here), in turn with the
   * other calls (see `embed-scheduler.ts`). An abort drops the texts not yet embedded.
   */
  embed(texts: readonly string[], options: SubmitOptions = {}): Promise<Float32Array[]> {
    if (this.closing) return Promise.reject(new Error("the local embedding workers are stopped"));
    // An always-running worker that could not start is tried again.
    for (const slot of this.slots) if (!slot.burst && slot.state === "stopped") this.launch(slot).catch(() => undefined);
    return this.scheduler.submit(texts, options);
  }

  stats(): WorkerPoolStats {
    return { ...this.counters, workersRunning: this.slots.filter((slot) => slot.state !== "stopped").length };
  }

  /** Stops an always-running worker as a crash would (for tests): its call fails and it is started again. */
  async killWorker(index = 0): Promise<void> {
    await this.slots.filter((slot) => !slot.burst)[index]?.worker?.terminate();
  }

  /** Waits for the calls already made (those not aborted), then stops the workers. */
  async close(): Promise<void> {
    if (!this.closing) await this.scheduler.idle();
    await this.terminate();
  }

  private async terminate(): Promise<void> {
    this.closing = true;
    for (const slot of this.slots) clearTimeout(slot.idleTimer);
    await Promise.all(this.slots.flatMap((slot) => (slot.worker ? [slot.worker.terminate()] : [])));
  }

  /** Starts the slot's worker; resolves once it has loaded the model. */
  private launch(slot: Slot): Promise<void> {
    let worker: Worker;
    try {
      worker = spawnModuleWorker(import.meta.url, "local-worker", WORKER_OPTIONS);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const error = new Error(`could not start a worker thread for the local embedding model: ${reason}`, { cause });
      if (slot.burst) this.burstFailed = true;
      if (!this.slots.some((other) => other.state !== "stopped")) this.scheduler.failWaiting(error);
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
          this.scheduler.pump();
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
        const { state, call } = slot;
        slot.worker = undefined;
        slot.state = "stopped";
        slot.call = undefined;
        clearTimeout(slot.idleTimer);
        slot.idleTimer = undefined;
        if (this.closing || slot.retiring) {
          call?.reject(new Error("the local embedding workers are stopped"));
          return;
        }
        const reason = slot.error ? slot.error.message : `exit code ${code}`;
        if (state === "starting") {
          const error = new Error(`could not load the local embedding model in a worker thread: ${reason}`, {
            cause: slot.error,
          });
          reject(error);
          if (slot.burst) this.burstFailed = true;
          if (!this.slots.some((other) => other.state !== "stopped")) this.scheduler.failWaiting(error);
          return;
        }
        this.counters.workerCrashes++;
        call?.reject(
          new Error(
            `the local embedding worker stopped unexpectedly (${reason}) while embedding ${call.texts} ` +
              `text(s); they were not embedded, and the worker is being replaced`,
            { cause: slot.error },
          ),
        );
        if (!slot.burst) this.launch(slot).catch(() => undefined); // a failed start fails the queued calls
        this.scheduler.pump(); // a burst worker is started again if the backlog still calls for one
      });
    });
  }

  /** One model call on an idle worker (the scheduler starts no more calls than there are). */
  private runOnIdleWorker(texts: string[]): Promise<Float32Array[]> {
    const slot = this.slots.find((candidate) => candidate.state === "idle");
    const worker = slot?.worker;
    if (!slot || !worker) return Promise.reject(new Error("no idle embedding worker to run a model call on"));
    return new Promise<Float32Array[]>((resolve, reject) => {
      slot.state = "busy";
      slot.call = { texts: texts.length, resolve, reject };
      slot.requestId++;
      this.counters.modelCalls++;
      this.counters.windowsEmbedded += texts.length;
      worker.ref();
      worker.postMessage({ id: slot.requestId, texts } satisfies EmbedRequest);
    });
  }

  private settle(slot: Slot, message: Exclude<WorkerMessage, { type: "ready" }>): void {
    if (slot.state !== "busy" || message.id !== slot.requestId) return;
    const call = slot.call;
    slot.call = undefined;
    slot.state = "idle";
    slot.worker?.unref();
    if (message.type === "vectors") {
      const count = message.vectors.length / MODEL_DIMENSION;
      call?.resolve(Array.from({ length: count }, (_, i) => message.vectors.slice(i * MODEL_DIMENSION, (i + 1) * MODEL_DIMENSION)));
    } else {
      call?.reject(new Error(`the local embedding model failed: ${message.message}`));
    }
  }

  /** After each dispatch: a burst worker while a backlog waits; idle ones are stopped after a while. */
  private adjustBurstWorkers(): void {
    if (this.closing) return;
    this.startBurstWorkerIfBacklogged();
    this.scheduleBurstRetirement();
  }

  private startBurstWorkerIfBacklogged(): void {
    if (this.burstFailed || this.scheduler.waitingTexts() < BURST_BACKLOG_TEXTS) return;
    // One at a time, and only when no worker is free or about to be.
    if (this.slots.some((slot) => slot.state === "idle" || slot.state === "starting")) return;
    const slot = this.slots.find((candidate) => candidate.burst && candidate.state === "stopped");
    if (slot && this.burstAllowed()) this.launch(slot).catch(() => undefined); // burstFailed is set on exit
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
}

/**
 * The worker allocates little on the JavaScript heap (the model lives in the WebAssembly heap), so
 * a small young generation is enough; V8's default lets it grow to ~30 MB more resident memory.
 */
const WORKER_OPTIONS = { resourceLimits: { maxYoungGenerationSizeMb: 4 } } as const;
