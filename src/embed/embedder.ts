export interface EmbedOptions {
  /**
   * Aborts the call (its client has gone, the server is stopping): texts not yet embedded are
   * dropped, no further model call or request is made for it, and the call rejects with the
   * signal's reason.
   */
  signal?: AbortSignal;
}

/**
 * An embedding model. Vectors are L2-normalised so that cosine similarity is a dot product
 * and the store can use one distance metric whatever the backend.
 */
export interface Embedder {
  /** Stable identity recorded in the store, e.g. `local:use-lite-en`; a change needs a re-embed. */
  readonly name: string;
  readonly dimension: number;
  /**
   * Whether this model gives meaningful vectors for the text. The bundled English encoder gives
   * Chinese text vectors without meaning; such text is left to the keyword channel.
   */
  represents(text: string): boolean;
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
  /**
   * Search queries, for models that embed them differently from stored text (e5: `query: …` vs
   * `passage: …`), or that serve them ahead of bulk texts. Absent: queries go through `embed`.
   */
  embedQueries?(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
  close(): Promise<void>;
}
