/** Plain text, Markdown, JSON and CSV as blocks: paragraphs by blank lines, Markdown headings by `#`. */
import type { Block } from "./types.js";

const normalise = (text: string) => text.replace(/\r\n?/g, "\n");

/** Paragraphs are separated by blank lines; the lines inside one are kept as written. */
export function textBlocks(text: string): Block[] {
  return normalise(text)
    .split(/\n[ \t]*\n+/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== "")
    .map((paragraph) => ({ kind: "text", text: paragraph }));
}

/**
 * ATX headings (`## Title`) and setext ones (a line underlined with `===` or `---`) start sections;
 * a fenced code block stays one block, blank lines inside it included.
 */
export function markdownBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    const body = paragraph.join("\n").trim();
    if (body !== "") blocks.push({ kind: "text", text: body });
    paragraph = [];
  };
  for (const line of normalise(text).split("\n")) {
    if (fence !== undefined) {
      paragraph.push(line);
      if (line.trimStart().startsWith(fence)) {
        fence = undefined;
        flush();
      }
      continue;
    }
    const opening = /^\s*(```|~~~)/.exec(line);
    if (opening) {
      flush();
      fence = opening[1];
      paragraph.push(line);
      continue;
    }
    const atx = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (atx) {
      flush();
      blocks.push({ kind: "heading", level: atx[1]?.length ?? 1, text: atx[2] ?? "" });
      continue;
    }
    const setext = /^\s{0,3}(=+|-+)\s*$/.exec(line);
    if (setext && paragraph.length === 1 && paragraph[0]?.trim() !== "") {
      const title = paragraph[0]?.trim() ?? "";
      paragraph = [];
      blocks.push({ kind: "heading", level: setext[1]?.startsWith("=") ? 1 : 2, text: title });
      continue;
    }
    if (line.trim() === "") flush();
    else paragraph.push(line);
  }
  flush();
  return blocks;
}

/** JSON pretty-printed, so each value sits on its own line and chunks cut between lines. */
export function jsonBlocks(text: string): Block[] {
  const pretty = JSON.stringify(JSON.parse(text), null, 2);
  return pretty.split("\n").length > 1 ? linesAsBlocks(pretty) : [{ kind: "text", text: pretty }];
}

/** CSV: the header line heads every row block, so a chunk of rows still says what its columns are. */
export function csvBlocks(text: string): Block[] {
  const lines = normalise(text)
    .split("\n")
    .filter((line) => line.trim() !== "");
  const [header, ...rows] = lines;
  if (header === undefined) return [];
  return [{ kind: "heading", level: 1, text: header }, ...rows.map((row): Block => ({ kind: "text", text: row }))];
}

function linesAsBlocks(text: string): Block[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => ({ kind: "text", text: line }));
}
