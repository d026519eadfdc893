import type { Embedder } from "../embed/embedder.js";
import type { Store } from "../store/store.js";

/** `reason` is public (/ready needs no key); `detail` may name hosts or paths and is only logged. */
export type Readiness = { ready: true } | { ready: false; reason: string; detail?: string };

const PROBE_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0]?.slice(0, 300) ?? "";

/**
 * Whether this process can serve: the store answers, its schema is the one this build knows, and
 * the embedder has embedded once (probed on the first call; after that it is known to be loaded).
 */
export class ReadinessProbe {
  private embedderReady = false;

  constructor(
    private readonly store: Store,
    private readonly embedder: Embedder,
  ) {}

  async check(): Promise<Readiness> {
    try {
      const { applied, latest } = await withTimeout(this.store.schemaStatus(), "the store");
      if (applied !== latest) return { ready: false, reason: `store: schema version ${applied}, this build needs ${latest} (migrations not current)` };
    } catch (error) {
      return { ready: false, reason: "store: unreachable", detail: messageOf(error) };
    }
    if (!this.embedderReady) {
      try {
        const [vector] = await withTimeout(this.embedder.embed(["ready"]), "the embedder");
        if (vector?.length !== this.embedder.dimension) return { ready: false, reason: "embedder: returned no vector of its dimension" };
        this.embedderReady = true;
      } catch (error) {
        return { ready: false, reason: "embedder: not loaded", detail: messageOf(error) };
      }
    }
    return { ready: true };
  }
}
