export { createHttpReranker, MAX_DOCUMENT_CHARS } from "./http.js";
export { RerankRequestError, type Reranker } from "./reranker.js";
