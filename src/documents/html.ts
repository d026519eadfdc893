/**
 * HTML to blocks. A web page's main content is found by Mozilla's Readability (the algorithm of
 * Firefox's reader view) over linkedom's DOM, so menus, footers and sidebars stay out of memory;
 * the article is then walked for headings, paragraphs, list items and table rows. DOCX goes
 * through the same walk (mammoth writes it as HTML).
 */
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import type { Block, ExtractedDocument } from "./types.js";

const HEADING = /^H([1-6])$/;
/** Elements whose text is one block; their children are not walked again. */
const LEAF_BLOCKS = new Set(["P", "LI", "PRE", "BLOCKQUOTE", "DT", "DD", "FIGCAPTION", "CAPTION"]);
const SKIPPED = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "SVG", "NAV", "HEADER", "FOOTER", "ASIDE", "FORM"]);

const clean = (text: string | null | undefined) => (text ?? "").replace(/\s+/g, " ").trim();

interface Node {
  nodeType: number;
  tagName?: string;
  textContent: string | null;
  childNodes: ArrayLike<Node>;
}

/** The part of linkedom's document this module reads (its types assume the DOM library, which the server is not compiled with). */
interface PageDocument {
  title: string;
  body: (Node & { innerHTML: string }) | null;
}
const parsePage = parseHTML as unknown as (html: string) => { document: PageDocument };
const Reader = Readability as unknown as new (
  document: PageDocument,
  options: { charThreshold: number },
) => {
  parse(): { title?: string | null; content?: string | null } | null;
};

const ELEMENT = 1;
const TEXT = 3;

function walk(node: Node, blocks: Block[], inline: string[]): void {
  const flushInline = () => {
    const text = clean(inline.join(" "));
    if (text !== "") blocks.push({ kind: "text", text });
    inline.length = 0;
  };
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === TEXT) {
      inline.push(child.textContent ?? "");
      continue;
    }
    if (child.nodeType !== ELEMENT) continue;
    const tag = (child.tagName ?? "").toUpperCase();
    if (SKIPPED.has(tag)) continue;
    const heading = HEADING.exec(tag);
    if (heading) {
      flushInline();
      const text = clean(child.textContent);
      if (text !== "") blocks.push({ kind: "heading", level: Number(heading[1]), text });
    } else if (tag === "TR") {
      flushInline();
      const cells = Array.from(child.childNodes)
        .filter((cell) => cell.nodeType === ELEMENT)
        .map((cell) => clean(cell.textContent));
      if (cells.some((cell) => cell !== "")) blocks.push({ kind: "text", text: cells.join(" | ") });
    } else if (LEAF_BLOCKS.has(tag) && !hasBlockChild(child)) {
      flushInline();
      const text = clean(child.textContent);
      if (text !== "") blocks.push({ kind: "text", text });
    } else if (tag === "BR" || isBlockLevel(tag)) {
      flushInline();
      walk(child, blocks, inline);
      flushInline();
    } else {
      // Inline markup (a link, emphasis): its text joins the running paragraph.
      walk(child, blocks, inline);
    }
  }
}

const BLOCK_LEVEL = new Set([
  "DIV",
  "SECTION",
  "ARTICLE",
  "MAIN",
  "UL",
  "OL",
  "DL",
  "TABLE",
  "THEAD",
  "TBODY",
  "TFOOT",
  "BODY",
  "HTML",
  "FIGURE",
  "HR",
  "DETAILS",
  "SUMMARY",
]);
const isBlockLevel = (tag: string) => BLOCK_LEVEL.has(tag) || LEAF_BLOCKS.has(tag) || HEADING.test(tag);

/** A list item holding a nested list is walked, so the inner items stay blocks of their own. */
const hasBlockChild = (node: Node) =>
  Array.from(node.childNodes).some((child) => child.nodeType === ELEMENT && ["UL", "OL", "TABLE", "DIV", "P"].includes((child.tagName ?? "").toUpperCase()));

/** The blocks of an HTML fragment or page, as written (no main-content detection). */
export function htmlBlocks(html: string): Block[] {
  const { document } = parsePage(`<!doctype html><html><body>${html}</body></html>`);
  const blocks: Block[] = [];
  const inline: string[] = [];
  if (document.body) walk(document.body, blocks, inline);
  const rest = clean(inline.join(" "));
  if (rest !== "") blocks.push({ kind: "text", text: rest });
  return blocks;
}

/** A web page: its main content when Readability finds one, else the whole body without navigation. */
export function extractHtml(html: string): ExtractedDocument {
  const { document } = parsePage(html);
  const pageTitle = clean(document.title);
  // Readability changes the DOM it reads: it gets a copy, and the body is walked from the original.
  const article = new Reader(parsePage(html).document, { charThreshold: 100 }).parse();
  const title = clean(article?.title) || pageTitle;
  const blocks = article?.content ? htmlBlocks(article.content) : htmlBlocks(document.body?.innerHTML ?? "");
  // Readability takes the <h1> of the article as its title and may leave it out of the content.
  const withTitle: Block[] = title !== "" && blocks[0]?.kind !== "heading" ? [{ kind: "heading", level: 1, text: title }, ...blocks] : blocks;
  return { format: "html", ...(title !== "" && { title }), pages: [{ blocks: withTitle }] };
}
