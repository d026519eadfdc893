import { setMaxListeners } from "node:events";
import type { EmbedOptions, Embedder } from "./embedder.js";

/**
 * The embedder with every call also aborted by `stop` (the server shutting down), whatever signal
 * the caller gave: a stop drops all embedding still queued, so that closing the embedder does not
 * wait for work nobody will receive.
 */
export function abortableEmbedder(embedder: Embedder, stop: AbortSignal): Embedder {
  // Every call in flight listens on `stop` (and stops listening when it settles): many at once is normal.
  setMaxListeners(0, stop);
  const embedQueries = embedder.embedQueries?.bind(embedder);
  return {
    get name() {
      return embedder.name;
    },
    get dimension() {
      return embedder.dimension;
    },
    represents: (text) => embedder.represents(text),
    close: () => embedder.close(),
    embed: (texts, options) => withStop(stop, options, (linked) => embedder.embed(texts, linked)),
    ...(embedQueries
      ? { embedQueries: (texts: readonly string[], options?: EmbedOptions) => withStop(stop, options, (linked) => embedQueries(texts, linked)) }
      : {}),
  };
}

/**
 * Runs `call` with a signal that aborts when either the caller's or `stop` does. The listener on
 * the long-lived `stop` is removed when the call settles, so that finished calls are not kept.
 */
async function withStop<T>(stop: AbortSignal, options: EmbedOptions = {}, call: (options: EmbedOptions) => Promise<T>): Promise<T> {
  const { signal } = options;
  const linked = new AbortController();
  const abort = (source: AbortSignal) => () => linked.abort(source.reason);
  const onStop = abort(stop);
  const onCaller = signal ? abort(signal) : undefined;
  if (stop.aborted) onStop();
  else if (signal?.aborted) onCaller?.();
  stop.addEventListener("abort", onStop, { once: true });
  if (onCaller) signal?.addEventListener("abort", onCaller, { once: true });
  try {
    return await call({ ...options, signal: linked.signal });
  } finally {
    stop.removeEventListener("abort", onStop);
    if (onCaller) signal?.removeEventListener("abort", onCaller);
  }
}
