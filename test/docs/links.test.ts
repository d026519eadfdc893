import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOCS = path.join(ROOT, "docs");

const pages = [
  path.join(ROOT, "README.md"),
  path.join(ROOT, "CONTRIBUTING.md"),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith(".md"))
    .map((name) => path.join(DOCS, name)),
];

/** The page without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line.replace(/`[^`]*`/g, "``");
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2…. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(file: string): Set<string> {
  const result = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1] ?? "");
    const count = seen.get(base);
    seen.set(base, (count ?? -1) + 1);
    result.add(count === undefined ? base : `${base}-${count + 1}`);
  }
  return result;
}

interface Link {
  line: number;
  target: string;
}

function links(file: string): Link[] {
  const found: Link[] = [];
  prose(readFileSync(file, "utf8")).forEach((text, index) => {
    for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) found.push({ line: index + 1, target: match[1] ?? "" });
  });
  return found;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

describe("documentation links", () => {
  test("the pages exist: README.md, CONTRIBUTING.md and docs/*.md", () => {
    assert.ok(pages.length > 3, `found ${pages.length} pages`);
  });

  for (const page of pages) {
    test(`every relative link and #anchor in ${path.relative(ROOT, page)} resolves`, () => {
      const broken: string[] = [];
      for (const { line, target } of links(page)) {
        if (isExternal(target)) continue;
        const [filePart = "", anchor] = target.split("#", 2);
        const file = filePart === "" ? page : path.resolve(path.dirname(page), decodeURIComponent(filePart));
        if (!existsSync(file)) {
          broken.push(`${line}: ${target} (no file ${path.relative(ROOT, file)})`);
          continue;
        }
        if (anchor === undefined) continue;
        if (statSync(file).isDirectory() || !file.endsWith(".md")) {
          broken.push(`${line}: ${target} (an anchor into a file that is not Markdown)`);
        } else if (!anchors(file).has(decodeURIComponent(anchor))) {
          broken.push(`${line}: ${target} (no heading #${anchor} in ${path.relative(ROOT, file)})`);
        }
      }
      assert.deepEqual(broken, [], `broken links in ${path.relative(ROOT, page)}:\n${broken.join("\n")}`);
    });
  }
});
