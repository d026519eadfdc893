import type { MemoryRecord } from "../store/types.js";

/**
 * Where a document chunk came from, as a person cites it: "manual.pdf, p. 12, §Setup > Network"
 * (the page for paged formats, the heading path where there is one). Undefined for other memories.
 */
export function citationOf(memory: MemoryRecord): string | undefined {
  const { info } = memory;
  if (memory.source !== "file" || typeof info.file_id !== "string" || typeof info.file_hash !== "string") return undefined;
  const name = typeof info.filename === "string" ? info.filename : info.file_id;
  const page = typeof info.page === "number" ? [`p. ${info.page}`] : [];
  const headings = Array.isArray(info.heading_path) && info.heading_path.length > 0 ? [`§${info.heading_path.map(String).join(" > ")}`] : [];
  return [name, ...page, ...headings].join(", ");
}
