import type { EmbedOptions, Embedder } from "./embedder.js";

/**
 * The embedder with every call also aborted by `stop` (the server shutting down), whatever signal
 * the caller gave: a stop drops all embedding still queued, so that closing the embedder does not
 * wait for work nobody will receive.
 */
export function abortableEmbedder(embedder: Embedder, stop: AbortSignal): Embedder {
  const withStop = (options: EmbedOptions = {}): EmbedOptions => ({
    signal: options.signal ? AbortSignal.any([options.signal, stop]) : stop,
  });
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
    embed: (texts, options) => embedder.embed(texts, withStop(options)),
    ...(embedQueries ? { embedQueries: (texts: readonly string[], options?: EmbedOptions) => embedQueries(texts, withStop(options)) } : {}),
  };
}
