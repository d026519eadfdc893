/** Where a document chunk came from: its file, page and section, as a person cites it. */
import type { GraphNode } from "./wire";

type Source = GraphNode["metadata"]["sources"][number];
export type FileSource = Extract<Source, { type: "file" }>;

/** "manual.pdf, p. 12, §Setup". */
export function citationOf(source: FileSource): string {
  const { page, heading_path } = source.file_info;
  return [source.doc_path, ...(page === null ? [] : [`p. ${page}`]), ...(heading_path.length === 0 ? [] : [`§${heading_path.join(" > ")}`])].join(", ");
}

/** A chunk's first source is its file; any other memory has none. */
export const fileSourceOf = (memory: { metadata: { sources: Source[] } }): FileSource | undefined => {
  const source = memory.metadata.sources[0];
  return source?.type === "file" ? source : undefined;
};

/** A document chunk's row says which file, page and section it is from. */
export function FileBadge(props: { memory: { metadata: { sources: Source[] } } }) {
  const source = fileSourceOf(props.memory);
  return source ? (
    <span class="badge tag" title="from a document">
      {citationOf(source)}
    </span>
  ) : null;
}
