export { createHttpReranker, MAX_DOCUMENT_CHARS } from "./http.js";
export type { Reranker } from "./reranker.js";
