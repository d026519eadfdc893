import { hostname } from "node:os";
import type { Logger } from "pino";
import type { JobSettings } from "../../config/index.js";
import { UpstreamError } from "../../llm/errors.js";
import { JobLeaseLost, type Store } from "../../store/store.js";
import type { JobClaim, JobOutcome, JobRecord } from "../../store/types.js";
import type { JobControl } from "../context.js";
import { PermanentJobError } from "./job-errors.js";

/**
 * Does a claimed job's work and completes it through the store (in the transaction that writes
 * its result, fenced on the claim). Throws to fail the attempt; `signal` aborts when the claim is
 * lost or the server stops.
 */
export type JobHandler = (job: JobRecord, claim: JobClaim, signal: AbortSignal) => Promise<void>;

/** Finished jobs stay visible to the scheduler routes this long. */
const RETENTION_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;
const MAX_BACKOFF_MS = 3600_000;
/** How often a request waiting for its jobs looks at them. */
const SETTLE_POLL_MS = 25;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** A short, key-free line for the job's `last_error` (shown to its user by the scheduler routes). */
function describeFailure(error: unknown): string {
  if (error instanceof UpstreamError) {
    return `the extraction model failed${error.status === undefined ? "" : ` (upstream HTTP ${error.status})`}: ${error.message}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]?.slice(0, 500) || "unknown error";
}

/**
 * Runs queued jobs in this process: `workers` loops, each claiming the oldest ready job (the store
 * makes claims atomic across processes and keeps each cube's jobs in order), heartbeating its
 * lease while the handler works, then completing it. A failure is retried after an exponential
 * backoff (`retryBaseMs · 2ⁿ⁻¹`, ±20 % jitter) until `maxAttempts`, then parked with its error;
 * a PermanentJobError parks at once. A job whose runner died (kill -9) is claimed again by anyone
 * once its lease lapses; a lease lost mid-run aborts the handler and its write is refused.
 */
export class JobRunner implements JobControl {
  readonly workerId = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  private stopping = false;
  private readonly loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  private readonly inFlight = new Set<AbortController>();
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly settings: JobSettings,
    private readonly handlers: ReadonlyMap<string, JobHandler>,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    for (let index = 0; index < this.settings.workers; index += 1) this.loops.push(this.loop());
    void this.prune();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
  }

  /** Stops claiming, aborts what runs (those jobs go back to the queue) and waits for the loops. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pruneTimer);
    this.wake();
    for (const controller of this.inFlight) controller.abort();
    await Promise.all(this.loops);
  }

  wake(): void {
    for (const wakeUp of this.sleepers) wakeUp();
  }

  async settle(taskIds: readonly string[], deadline: number): Promise<void> {
    this.wake(); // earlier jobs of the same cube may be ahead in the queue
    for (const taskId of taskIds) {
      let attempted = false;
      while (!this.stopping && Date.now() < deadline) {
        const job = await this.store.getJob(taskId);
        if (!job || job.status === "done" || job.status === "parked") break;
        // One attempt here; after a failure the job waits out its backoff in the background.
        if (job.status === "queued" && attempted) break;
        const claimed = await this.claim(taskId);
        if (claimed) {
          attempted = true;
          await this.run(claimed);
          continue;
        }
        await sleep(SETTLE_POLL_MS); // an earlier job of the cube runs first, or another runner has this one
      }
    }
  }

  private iso(offsetMs = 0): string {
    return new Date(this.now().getTime() + offsetMs).toISOString();
  }

  private claim(taskId?: string): Promise<JobRecord | undefined> {
    return this.store.claimJob({
      kinds: [...this.handlers.keys()],
      workerId: this.workerId,
      now: this.iso(),
      leaseUntil: this.iso(this.settings.leaseMs),
      ...(taskId !== undefined && { taskId }),
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let job: JobRecord | undefined;
      try {
        job = await this.claim();
      } catch (error) {
        this.logger.error({ err: error }, "claiming a job failed");
      }
      if (job) await this.run(job);
      else await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.settings.pollMs);
      this.sleepers.add(done);
    });
  }

  private async run(job: JobRecord): Promise<void> {
    const claim: JobClaim = { jobId: job.id, workerId: this.workerId };
    const controller = new AbortController();
    this.inFlight.add(controller);
    let leaseLost = false;
    const heartbeat = setInterval(
      () => {
        this.store.renewJob(claim, this.iso(this.settings.leaseMs)).then(
          (held) => {
            if (held) return;
            leaseLost = true;
            controller.abort();
          },
          (error: unknown) => this.logger.error({ err: error, taskId: job.taskId }, "renewing a job's lease failed"),
        );
      },
      Math.max(Math.floor(this.settings.leaseMs / 3), 10),
    );
    const started = performance.now();
    const log = { taskId: job.taskId, kind: job.kind, cubeId: job.cubeId, attempt: job.attempts };
    try {
      // Claims past the limit mean earlier runners died with it (a job that crashes its process):
      // without this it would be claimed again forever.
      if (job.attempts > this.settings.maxAttempts) {
        throw new PermanentJobError(`gave up after ${job.attempts - 1} attempts; the last runners stopped while running it`);
      }
      const handler = this.handlers.get(job.kind);
      if (!handler) throw new PermanentJobError(`no handler for jobs of kind '${job.kind}'`);
      await handler(job, claim, controller.signal);
      // Handlers complete their job in the transaction that writes its result; this only catches
      // one that did not (a no-op otherwise), so that no job is left running.
      await this.store.finishJob(claim, { status: "done", result: {} }, this.iso());
      this.logger.info({ ...log, ms: Math.round(performance.now() - started) }, "job done");
    } catch (error) {
      if (leaseLost || error instanceof JobLeaseLost) {
        this.logger.warn(log, "job abandoned: its lease lapsed and another runner has it");
        return;
      }
      await this.fail(job, claim, error, log);
    } finally {
      clearInterval(heartbeat);
      this.inFlight.delete(controller);
    }
  }

  private async fail(job: JobRecord, claim: JobClaim, error: unknown, log: Record<string, unknown>): Promise<void> {
    let outcome: JobOutcome;
    if (this.stopping) {
      outcome = { status: "queued", runAfter: this.iso(), error: "interrupted: the server stopped" };
    } else if (error instanceof PermanentJobError || job.attempts >= this.settings.maxAttempts) {
      outcome = { status: "parked", error: describeFailure(error) };
    } else {
      const backoff = Math.min(this.settings.retryBaseMs * 2 ** (job.attempts - 1), MAX_BACKOFF_MS) * (0.8 + Math.random() * 0.4);
      outcome = { status: "queued", runAfter: this.iso(backoff), error: describeFailure(error) };
    }
    try {
      await this.store.finishJob(claim, outcome, this.iso());
    } catch (failure) {
      this.logger.error({ ...log, err: failure }, "recording a job failure failed");
      return;
    }
    const level = outcome.status === "parked" ? "error" : "warn";
    this.logger[level]({ ...log, outcome: outcome.status, error: outcome.error }, outcome.status === "parked" ? "job parked" : "job failed; will retry");
  }

  private async prune(): Promise<void> {
    try {
      await this.store.pruneJobs(this.iso(-RETENTION_MS));
    } catch (error) {
      this.logger.error({ err: error }, "pruning finished jobs failed");
    }
  }
}
