/**
 * The fair queue in front of a model that embeds texts in batches (one batch = one model call).
 * It knows nothing of workers: it is given a `run(texts)` that makes one model call, and how many
 * calls may run at once.
 *
 * - Every `submit` is a flow of its own (one request's texts). Model calls are filled round-robin
 *   across the waiting flows, so a small add waits for at most one model call of each other
 *   flow, never for the whole of a large import that came first.
 * - Search queries (`priority: "query"`) go ahead of bulk texts: a model call takes the waiting
 *   queries first (up to `maxQueryTexts`), then fills what room is left with bulk texts. When
 *   queries leave no room, bulk texts still get every `maxQueryCallsInARow + 1`-th model call, so
 *   a stream of searches cannot stall an add.
 * - A model call holds a bounded amount of work (`maxTexts`, and `maxPaddedChars` with every
 *   text counted as long as the longest, because the model pads them to one length); a flow's
 *   texts are taken longest first so that a call pads little.
 * - A flow whose signal aborts is dropped at once: its waiting texts never reach the model, and
 *   its caller gets the abort reason. A model call already running for it finishes; its vectors
 *   are thrown away.
 * - A failed model call fails the flows it carried; their texts still waiting are dropped.
 */

export type EmbedPriority = "query" | "bulk";

export interface SchedulerLimits {
  /** Texts in one model call, at most. */
  maxTexts: number;
  /** Characters in one model call, each text counted as long as the longest; a longer text goes alone. */
  maxPaddedChars: number;
  /** Texts in one model call made of queries, at most (small calls answer sooner). */
  maxQueryTexts: number;
  /** Model calls in a row given to queries while bulk texts wait. */
  maxQueryCallsInARow: number;
}

export interface EmbedSchedulerOptions extends SchedulerLimits {
  /** One model call: resolves with one vector per text, in order. */
  run(texts: string[]): Promise<Float32Array[]>;
  /** How many model calls may run at once right now (e.g. workers that are ready); read at each dispatch. */
  concurrency(): number;
  /** Called after each dispatch (e.g. to start more workers while a backlog waits). */
  afterDispatch?(): void;
}

export interface SubmitOptions {
  priority?: EmbedPriority;
  signal?: AbortSignal;
}

interface WaitingText {
  text: string;
  /** Its position in the flow's texts (and vectors). */
  index: number;
}

interface Flow {
  readonly priority: EmbedPriority;
  /** Texts not yet handed to the model, longest first. */
  readonly waiting: WaitingText[];
  readonly vectors: Float32Array[];
  /** Texts without a vector yet. */
  unanswered: number;
  /** Answered, failed or aborted: nothing more happens for it. */
  settled: boolean;
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
  detach(): void;
}

interface Pick {
  flow: Flow;
  index: number;
  text: string;
}

/** A model call being filled. */
interface Batch {
  picks: Pick[];
  /** The longest text in it (every text is padded to it). */
  longest: number;
  /** The last flow texts were taken from. */
  lastFlow: Flow | undefined;
}

export class EmbedScheduler {
  private readonly queries: Flow[] = [];
  private readonly bulk: Flow[] = [];
  /** Where the next bulk model call starts filling, in `bulk`. */
  private cursor = 0;
  private queryCallsInARow = 0;
  private running = 0;
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: EmbedSchedulerOptions) {}

  /** Vectors for the texts, in order, embedded in turn with every other flow. */
  submit(texts: readonly string[], options: SubmitOptions = {}): Promise<Float32Array[]> {
    const { signal, priority = "bulk" } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (texts.length === 0) return Promise.resolve([]);
    return new Promise<Float32Array[]>((resolve, reject) => {
      const onAbort = () => this.fail(flow, signal?.reason);
      const flow: Flow = {
        priority,
        waiting: texts.map((text, index) => ({ text, index })).sort((a, b) => b.text.length - a.text.length),
        vectors: new Array<Float32Array>(texts.length),
        unanswered: texts.length,
        settled: false,
        resolve,
        reject,
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      (priority === "query" ? this.queries : this.bulk).push(flow);
      // Dispatch once the current task is done, so that calls made together share a model call.
      this.schedulePump();
    });
  }

  /** Texts waiting for a model call (not those in one). */
  waitingTexts(): number {
    let count = 0;
    for (const flow of [...this.queries, ...this.bulk]) count += flow.waiting.length;
    return count;
  }

  /** Fails every waiting flow (e.g. no worker can start). Model calls running are not affected. */
  failWaiting(error: Error): void {
    for (const flow of [...this.queries, ...this.bulk]) this.fail(flow, error);
  }

  /** Resolves once nothing waits and no model call runs. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.notifyIfIdle();
    });
  }

  /** Starts model calls while there is capacity and work (call it when capacity grows). */
  pump(): void {
    this.pumpScheduled = false;
    for (;;) {
      const free = this.options.concurrency() - this.running;
      if (free <= 0) break;
      const batch = this.takeBatch(free);
      if (batch.length === 0) break;
      this.start(batch);
    }
    this.options.afterDispatch?.();
    this.notifyIfIdle();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => this.pump());
  }

  private start(batch: Pick[]): void {
    this.running++;
    let outcome: Promise<Float32Array[]>;
    try {
      outcome = this.options.run(batch.map((pick) => pick.text));
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (vectors) => {
        batch.forEach((pick, i) => {
          const { flow } = pick;
          const vector = vectors[i];
          if (flow.settled) return;
          if (!vector) return this.fail(flow, new Error(`the model returned ${vectors.length} vectors for ${batch.length} texts`));
          flow.vectors[pick.index] = vector;
          if (--flow.unanswered === 0) this.finish(flow);
        });
        this.ranOne();
      },
      (error: unknown) => {
        for (const { flow } of batch) this.fail(flow, error);
        this.ranOne();
      },
    );
  }

  private ranOne(): void {
    this.running--;
    this.pump();
  }

  /** The next model call's texts, dividing what waits among the free capacity. */
  private takeBatch(free: number): Pick[] {
    const bulkWaits = this.bulk.length > 0;
    const queryTurn = this.queries.length > 0 && (!bulkWaits || this.queryCallsInARow < this.options.maxQueryCallsInARow);
    const batch: Batch = { picks: [], longest: 0, lastFlow: undefined };
    if (queryTurn) {
      this.fill(batch, this.queries, 0, this.limitFor(this.queries, this.options.maxQueryTexts, free));
      for (const flow of [...this.queries]) if (flow.waiting.length === 0) this.remove(flow);
      batch.lastFlow = undefined;
    }
    if (bulkWaits) {
      // Bulk texts fill what room the queries leave, round-robin; a call of queries only counts
      // towards the turn bulk texts get at the latest.
      const start = this.cursor % this.bulk.length;
      this.fill(batch, this.bulk, start, batch.picks.length + this.limitFor(this.bulk, this.options.maxTexts, free));
      if (batch.lastFlow === undefined) this.queryCallsInARow++;
      else {
        this.queryCallsInARow = 0;
        // The next call starts with the flow after the last one served here (round-robin).
        this.cursor = this.bulk.indexOf(batch.lastFlow) + 1;
      }
      for (const pick of batch.picks) if (pick.flow.priority === "bulk" && pick.flow.waiting.length === 0) this.remove(pick.flow);
    }
    return batch.picks;
  }

  /** At most `max` texts, fewer when several calls can start at once, so that they share the work. */
  private limitFor(flows: readonly Flow[], max: number, free: number): number {
    const waiting = flows.reduce((sum, flow) => sum + flow.waiting.length, 0);
    return Math.min(max, Math.ceil(waiting / free));
  }

  /** Adds texts from the flows in turn, starting at `start`, within `maxTexts` and the padded budget. */
  private fill(batch: Batch, flows: readonly Flow[], start: number, maxTexts: number): void {
    const limit = Math.min(maxTexts, this.options.maxTexts);
    const order = [...flows.slice(start), ...flows.slice(0, start)];
    for (const flow of order) {
      while (flow.waiting.length > 0) {
        const next = flow.waiting[0] as WaitingText;
        const longest = Math.max(batch.longest, next.text.length, 1);
        if (!fits(batch.picks.length, longest, limit, this.options.maxPaddedChars)) return;
        flow.waiting.shift();
        batch.picks.push({ flow, index: next.index, text: next.text });
        batch.longest = longest;
        batch.lastFlow = flow;
      }
    }
  }

  private remove(flow: Flow): void {
    const list = flow.priority === "query" ? this.queries : this.bulk;
    const position = list.indexOf(flow);
    if (position < 0) return;
    list.splice(position, 1);
    if (list === this.bulk && position < this.cursor) this.cursor--;
  }

  private finish(flow: Flow): void {
    flow.settled = true;
    flow.detach();
    flow.resolve(flow.vectors);
  }

  private fail(flow: Flow, error: unknown): void {
    if (flow.settled) return;
    flow.settled = true;
    flow.detach();
    flow.waiting.length = 0;
    this.remove(flow);
    flow.reject(error);
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.running > 0 || this.queries.length > 0 || this.bulk.length > 0) return;
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
    const nextLongest = Math.max(longest, job.text.length, 1);
    if (!fits(count, nextLongest, maxTexts, maxPaddedChars)) break;
    longest = nextLongest;
    count++;
  }
  return count;
}

/** Whether one more text fits a call of `count` texts whose longest (with it) is `longest`. */
function fits(count: number, longest: number, maxTexts: number, maxPaddedChars: number): boolean {
  return count === 0 || (count < maxTexts && (count + 1) * longest <= maxPaddedChars);
}
