import type { MemoryContext } from "./context.js";
import { purgeExpired } from "./soft-delete.js";

/** The sweep runs this often at most (a long retention needs no finer grain) and at least. */
const LONGEST_PAUSE_MS = 3_600_000;
const SHORTEST_PAUSE_MS = 250;

/**
 * Purges the memories soft-deleted longer ago than the retention (MEMCUBE_SOFT_DELETE_RETENTION):
 * once at start, then every half retention (between a quarter of a second and an hour). A failed
 * sweep is reported and tried again at the next one.
 */
export class PurgeSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly context: MemoryContext,
    private readonly retentionMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly onPurged: (count: number) => void = () => {},
  ) {}

  start(): void {
    if (this.timer) return;
    const pause = Math.min(LONGEST_PAUSE_MS, Math.max(SHORTEST_PAUSE_MS, this.retentionMs / 2));
    this.timer = setInterval(() => this.sweep(), pause).unref();
    this.sweep();
  }

  /** Stops the sweeps; resolves once the one running (if any) has finished. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private sweep(): void {
    if (this.running) return;
    this.running = purgeExpired(this.context, this.retentionMs)
      .then((count) => {
        if (count > 0) this.onPurged(count);
      })
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
      });
  }
}
