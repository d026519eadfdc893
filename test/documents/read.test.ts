/** Reading files: the format from the bytes, the text by pages and headings, chunks that follow the document. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readDocument } from "../../src/documents/index.js";
import { buildDocx } from "../support/docx.js";
import { buildPdf } from "../support/pdf.js";

const read = (content: string | Buffer, budget?: { maxChars: number; overlapChars: number }) => readDocument(Buffer.from(content), budget);

describe("format detection by content", () => {
  test("each format is told by its bytes, whatever the file would be called", async () => {
    assert.equal((await read(buildPdf([["Hello"]]))).format, "pdf");
    assert.equal((await read(buildDocx([{ paragraph: "Hello" }]))).format, "docx");
    assert.equal((await read("<!DOCTYPE html><html><body><p>Hello there</p></body></html>")).format, "html");
    assert.equal((await read('{"name": "memcube", "tags": ["a", "b"]}')).format, "json");
    assert.equal((await read("city,population\nLyon,520000\nNantes,320000\n")).format, "csv");
    assert.equal((await read("# Title\n\nSome text.")).format, "markdown");
    assert.equal((await read("Just a note to self, nothing more.")).format, "text");
  });

  test("empty, binary and damaged files are refused with the reason", async () => {
    await assert.rejects(read(""), /the file is empty/);
    await assert.rejects(read("   \n\n "), /holds no text/);
    await assert.rejects(read(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0])), /not a text file/);
    await assert.rejects(read(Buffer.from([0xff, 0xfe, 0xfd, 0x41])), /not valid UTF-8/);
    await assert.rejects(read(Buffer.from("%PDF-1.7\nthis is not really a pdf")), /not a valid PDF/);
    await assert.rejects(read(buildPdf([["Private"]], { locked: true })), /the PDF is password-protected/);
    await assert.rejects(read(Buffer.from("PK\x03\x04 some zip without word parts")), /no Word document in it/);
  });
});

describe("chunking", () => {
  test("a chunk never spans two pages, and carries its 1-based page", async () => {
    const document = await read(buildPdf([["First page, short."], ["Second page, short too."], ["Third."]]), { maxChars: 1000, overlapChars: 50 });
    assert.equal(document.pages, 3);
    assert.deepEqual(
      document.chunks.map((chunk) => [chunk.page, chunk.text]),
      [
        [1, "First page, short."],
        [2, "Second page, short too."],
        [3, "Third."],
      ],
    );
  });

  test("headings start chunks and make their path; spans index the extracted text", async () => {
    const markdown = "# Guide\n\nIntro.\n\n## Install\n\nRun the installer.\n\n## Use\n\nOpen the app.\n\n# Appendix\n\nNotes.";
    const document = await read(markdown);
    assert.deepEqual(
      document.chunks.map((chunk) => [chunk.headingPath.join(" > "), chunk.text]),
      [
        ["Guide", "Intro."],
        ["Guide > Install", "Run the installer."],
        ["Guide > Use", "Open the app."],
        ["Appendix", "Notes."],
      ],
    );
    const text = ["Guide", "Intro.", "Install", "Run the installer.", "Use", "Open the app.", "Appendix", "Notes."].join("\n\n");
    for (const chunk of document.chunks) assert.equal(text.slice(chunk.start, chunk.end), chunk.text);
  });

  test("long text is packed up to the budget, cut between sentences, with a small overlap", async () => {
    const sentences = Array.from({ length: 40 }, (_, index) => `Sentence number ${index} says something useful.`);
    const document = await read(sentences.join(" "), { maxChars: 300, overlapChars: 60 });
    assert.ok(document.chunks.length > 4);
    for (const chunk of document.chunks) assert.ok(chunk.text.length <= 300, `${chunk.text.length} chars`);
    for (const sentence of sentences)
      assert.ok(
        document.chunks.some((chunk) => chunk.text.includes(sentence)),
        sentence,
      );
    // Each chunk after the first starts with the last sentence of the one before.
    const [first, second] = document.chunks;
    const lastSentence = first?.text.split(/(?<=\.)\s/).at(-1) ?? "";
    assert.ok(second?.text.startsWith(lastSentence), `${second?.text.slice(0, 80)} / ${lastSentence}`);
  });

  test("Chinese is cut at sentence punctuation, not at spaces (it has none)", async () => {
    const text = "保修期为两年。".repeat(10) + "请保留发票！".repeat(10) + "维修需要预约？".repeat(10);
    const document = await read(text, { maxChars: 60, overlapChars: 10 });
    assert.ok(document.chunks.length > 3);
    for (const chunk of document.chunks) {
      assert.ok(chunk.text.length <= 60);
      assert.match(chunk.text, /[。！？]$/, `ends a sentence: ${chunk.text}`);
    }
  });

  test("a PDF without a text layer reads, with no chunks (the caller stores a note)", async () => {
    const document = await read(buildPdf([[], []]));
    assert.equal(document.format, "pdf");
    assert.deepEqual(document.chunks, []);
  });
});
