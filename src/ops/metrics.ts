/**
 * Prometheus metrics, exposed in the text format (version 0.0.4) by `GET /metrics`. Hand-written:
 * counters and histograms live in this process; gauges read from the store at scrape time.
 */
import { wrapEmbedder, type Embedder } from "../embed/embedder.js";
import type { ChatCompletion, ChatModel } from "../llm/chat-model.js";
import type { Store } from "../store/store.js";

type Labels = Record<string, string>;

/** Seconds; from 1 ms to a minute (LLM calls are slow). */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(",")}}`;
}

const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels));

const formatNumber = (value: number) => (Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN");

interface Family {
  render(): string[];
}

export class Counter implements Family {
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const entry = this.series.get(key);
    if (entry) entry.value += by;
    else this.series.set(key, { labels, value: by });
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.series.values()) lines.push(`${this.name}${labelText(labels)} ${formatNumber(value)}`);
    return lines;
  }
}

export class Histogram implements Family {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[] = LATENCY_BUCKETS,
  ) {}

  observe(labels: Labels, value: number): void {
    const key = keyOf(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    this.buckets.forEach((bound, index) => {
      if (value <= bound) (entry.counts[index] as number) += 1;
    });
    entry.sum += value;
    entry.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((bound, index) => lines.push(`${this.name}_bucket${labelText(labels, ["le", String(bound)])} ${counts[index]}`));
      lines.push(`${this.name}_bucket${labelText(labels, ["le", "+Inf"])} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${formatNumber(sum)}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines;
  }
}

function gauge(name: string, help: string, samples: readonly [Labels, number][]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples.map(([labels, value]) => `${name}${labelText(labels)} ${formatNumber(value)}`)];
}

const seconds = (started: number) => (performance.now() - started) / 1000;

/** The process's metrics. One per server; `render` adds the store's gauges. */
export class Metrics {
  readonly requests = new Counter("memcube_http_requests_total", "HTTP requests by method, route template and status.");
  readonly requestSeconds = new Histogram("memcube_http_request_duration_seconds", "HTTP request latency by method, route template and status.");
  readonly searchSeconds = new Histogram("memcube_search_duration_seconds", "Store search latency by channel (vector or keyword).");
  readonly embedSeconds = new Histogram("memcube_embedding_duration_seconds", "Embedding latency per call, by embedder.");
  readonly embedTexts = new Counter("memcube_embedded_texts_total", "Texts embedded, by embedder.");
  readonly llmSeconds = new Histogram("memcube_llm_request_duration_seconds", "LLM call latency by model, kind (complete or stream) and outcome.");
  readonly llmTokens = new Counter("memcube_llm_tokens_total", "LLM tokens by model and type (prompt or completion), when the upstream reports usage.");
  readonly chatQuotaTokens = new Counter(
    "memcube_chat_quota_tokens_total",
    "Chat tokens counted against the users' daily budgets (MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY), by source: reported by the model, or estimated.",
  );
  readonly chatTurns = new Counter(
    "memcube_chat_turns_total",
    "Chat turns whose model was called, by outcome: stored (written back to memory) or not_stored (not asked to, client gone, model failed).",
  );
  readonly chatQuotaRefusals = new Counter("memcube_chat_quota_refusals_total", "Chats refused because the user's daily token budget was used up.");
  readonly rerankerFailures = new Counter(
    "memcube_reranker_failures_total",
    "Reranker calls that failed (searches then used the built-in ranking), by reranker.",
  );

  private readonly families: Family[] = [
    this.requests,
    this.requestSeconds,
    this.searchSeconds,
    this.embedSeconds,
    this.embedTexts,
    this.llmSeconds,
    this.llmTokens,
    this.chatQuotaTokens,
    this.chatTurns,
    this.chatQuotaRefusals,
    this.rerankerFailures,
  ];

  /** The exposition: this process's counters and histograms, and the store's current counts. */
  async render(store: Store, now: Date = new Date()): Promise<string> {
    const lines = this.families.flatMap((family) => family.render());
    const stats = await store.stats(now.toISOString());
    const storeLabel = { store: store.kind };
    lines.push(...gauge("memcube_memories", "Active memories in the store.", [[storeLabel, stats.memories]]));
    lines.push(...gauge("memcube_cubes", "Cubes in the store.", [[storeLabel, stats.cubes]]));
    lines.push(
      ...gauge("memcube_jobs", "Jobs by status (queued: the queue depth; parked: failed for good, see the jobs admin routes).", [
        [{ status: "queued" }, stats.jobs.queued],
        [{ status: "running" }, stats.jobs.running],
        [{ status: "parked" }, stats.jobs.parked],
      ]),
    );
    const lag = stats.oldestDueAt === null ? 0 : Math.max(0, (now.getTime() - Date.parse(stats.oldestDueAt)) / 1000);
    lines.push(...gauge("memcube_job_lag_seconds", "How long the oldest due queued job has waited past its run time.", [[{}, lag]]));
    return `${lines.join("\n")}\n`;
  }
}

/** The store with its two search channels timed. */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  const timed =
    <A extends unknown[], R>(channel: string, method: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await method(...args);
      } finally {
        metrics.searchSeconds.observe({ channel }, seconds(started));
      }
    };
  const searchVectors = timed("vector", store.searchVectors.bind(store));
  const searchKeywords = timed("keyword", store.searchKeywords.bind(store));
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === "searchVectors") return searchVectors;
      if (property === "searchKeywords") return searchKeywords;
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      const method = value as (this: Store, ...args: unknown[]) => unknown;
      return method.bind(target);
    },
  });
}

/** The embedder with its calls timed. */
export function instrumentEmbedder(embedder: Embedder, metrics: Metrics): Embedder {
  const labels = { embedder: embedder.name };
  return wrapEmbedder(embedder, (embed) => async (texts, options) => {
    const started = performance.now();
    try {
      return await embed(texts, options);
    } finally {
      metrics.embedSeconds.observe(labels, seconds(started));
      metrics.embedTexts.inc(labels, texts.length);
    }
  });
}

/** The chat model with its calls timed and its reported tokens counted. */
export function instrumentModel(model: ChatModel, metrics: Metrics): ChatModel {
  const record = (kind: string, outcome: string, started: number, usage?: ChatCompletion["usage"]) => {
    metrics.llmSeconds.observe({ model: model.model, kind, outcome }, seconds(started));
    if (usage) {
      metrics.llmTokens.inc({ model: model.model, type: "prompt" }, usage.promptTokens);
      metrics.llmTokens.inc({ model: model.model, type: "completion" }, usage.completionTokens);
    }
  };
  return {
    get model() {
      return model.model;
    },
    get contextWindow() {
      return model.contextWindow;
    },
    complete: async (messages, options) => {
      const started = performance.now();
      try {
        const completion = await model.complete(messages, options);
        record("complete", "ok", started, completion.usage);
        return completion;
      } catch (error) {
        // A call its caller aborted (the client left) is not a model failure.
        record("complete", options?.signal?.aborted ? "aborted" : "error", started);
        throw error;
      }
    },
    stream: (messages, options) => ({
      async *[Symbol.asyncIterator]() {
        const started = performance.now();
        let outcome = "incomplete"; // failed, or the caller stopped reading
        let usage: ChatCompletion["usage"];
        const onUsage = (reported: NonNullable<ChatCompletion["usage"]>) => {
          usage = reported;
          options?.onUsage?.(reported);
        };
        try {
          yield* model.stream(messages, { ...options, onUsage });
          outcome = "ok";
        } finally {
          record("stream", outcome, started, usage);
        }
      },
    }),
  };
}
