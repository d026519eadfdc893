/**
 * `memcube serve --workers N`: a primary process forks N workers (node:cluster) that serve the same
 * port over the same store. Each worker is a whole server (its own store connection, embedder, job
 * runner and vector indexes); SQLite's WAL lets them read at once, and every write transaction
 * takes the write lock up front (BEGIN IMMEDIATE, waiting up to busy_timeout), so none fails on a
 * lock upgrade. The primary serves nothing itself: it restarts a worker that dies, passes SIGHUP on to
 * every worker (each reloads the keys file; one still starting, once it serves), and on SIGTERM or SIGINT lets every worker drain and
 * stop, then exits.
 */
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** After SIGTERM/SIGINT, a worker that has not exited within this long is killed (SIGKILL). */
  stopWithinMs: number;
}

/** A worker that dies sooner than this after starting counts as crashing (its restart waits longer). */
const STABLE_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Runs the primary: forks the first worker and waits until it listens (so that it alone creates or
 * migrates a new store), then the others. Resolves when every worker has stopped after SIGTERM or
 * SIGINT, with the exit code the primary should end with.
 */
export function runPrimary({ workers, logger, stopWithinMs }: PrimaryOptions): Promise<number> {
  return new Promise((resolve) => {
    const started = new Map<Worker, number>();
    const listening = new Set<Worker>();
    /** Workers that were starting at a SIGHUP: they may have read the keys file before it changed. */
    const reloadWhenServing = new Set<Worker>();
    let everListened = false;
    let stopping = false;
    let exitCode = 0;
    let crashes = 0;
    const timers = new Set<NodeJS.Timeout>();

    const fork = () => {
      const worker = cluster.fork();
      started.set(worker, Date.now());
      return worker;
    };
    const finishIfDone = () => {
      if (stopping && started.size === 0) {
        for (const timer of timers) clearTimeout(timer);
        resolve(exitCode);
      }
    };
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, workers: started.size }, "stopping: workers finish their requests in flight, then exit");
      for (const worker of started.keys()) worker.process.kill("SIGTERM");
      // Each worker drains and exits on its own; one that still has not is ended, so that the
      // primary keeps its promise to stop.
      const backstop = setTimeout(() => {
        for (const worker of started.keys()) {
          logger.error({ worker: worker.process.pid, afterMs: stopWithinMs }, "worker did not stop in time; killing it");
          worker.process.kill("SIGKILL");
        }
      }, stopWithinMs);
      timers.add(backstop);
      finishIfDone();
    };

    cluster.on("listening", (worker, address) => {
      const first = !everListened;
      everListened = true;
      listening.add(worker);
      logger.info({ worker: worker.process.pid, port: address.port }, "worker serving");
      if (reloadWhenServing.delete(worker)) worker.process.kill("SIGHUP");
      if (first && !stopping) for (let index = 1; index < workers; index += 1) fork();
    });
    cluster.on("exit", (worker, code, signal) => {
      const since = started.get(worker) ?? Date.now();
      started.delete(worker);
      reloadWhenServing.delete(worker);
      const served = listening.delete(worker);
      if (stopping) {
        if (code !== 0 && signal !== "SIGTERM") exitCode = 1;
        return finishIfDone();
      }
      if (!everListened && !served) {
        // The first worker could not start (configuration, port in use, a newer store): so would any.
        logger.error({ worker: worker.process.pid, code, signal }, "the first worker failed to start; stopping");
        exitCode = 1;
        return stop("startup failure");
      }
      crashes = Date.now() - since < STABLE_MS ? crashes + 1 : 0;
      const delay = crashes === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** (crashes - 1));
      logger.error({ worker: worker.process.pid, code, signal, restartInMs: delay }, "worker died; starting another");
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) fork();
      }, delay);
      timers.add(timer);
    });

    process.on("SIGHUP", () => {
      // Workers already serving now; one still starting once it serves (a SIGHUP that reached it
      // before its handler is installed would end it, and it may have read the file before the edit).
      logger.info({ workers: listening.size, starting: started.size - listening.size }, "SIGHUP: workers reload the keys file");
      for (const worker of started.keys()) {
        if (listening.has(worker)) worker.process.kill("SIGHUP");
        else reloadWhenServing.add(worker);
      }
    });
    // Not `once`: a repeated signal (Ctrl-C under npm arrives twice) must not end the primary before its workers.
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
    logger.info({ workers }, "memcube primary starting workers");
    fork();
  });
}
