/**
 * A cross-encoder: reads the query together with each document and scores how well the document
 * answers it. Slower than the embedding and keyword channels, so it only reorders their best few.
 */
export interface Reranker {
  /** What the logs call it, e.g. `http://reranker:7997/v1/rerank (bge-reranker-v2-m3)`. */
  readonly name: string;
  /**
   * One relevance in [0, 1] per document, in the order given. Throws UpstreamRequestError when the
   * service fails, times out or answers something unreadable.
   */
  score(query: string, documents: readonly string[]): Promise<number[]>;
}
