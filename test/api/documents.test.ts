/**
 * Documents through /product/add (issue 19), on both stores: each format becomes chunks with their
 * source, a fact from page 2 of a PDF is found with its page, re-adding is a no-op or a
 * replacement, deleting a file removes every chunk, and bad files are refused whole.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildDocx } from "../support/docx.js";
import { buildPdf } from "../support/pdf.js";
import { freshSchema, POSTGRES_SKIP } from "../support/postgres.js";
import { startTestServer, type Json, type TestServer } from "../support/server.js";

const b64 = (content: string | Buffer) => Buffer.from(content).toString("base64");
const filePart = (file: Record<string, string>) => ({ role: "user", content: [{ type: "file", file }] });

const MARKDOWN = `# Office handbook

Welcome to the team.

## Parking

Staff park in the underground garage on level minus two.

## Kitchen

### Coffee machine

The coffee machine is descaled every Thursday by Priya.
`;

const HTML = `<!doctype html><html><head><title>Release notes</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/pricing">Pricing zeppelin</a></li><li><a href="/blog">Blog</a></li></ul></nav>
<main><article><h1>Release notes for version 7</h1>
<p>Version 7 replaces the old sync engine with a journal that survives power loss. Every write is acknowledged only after it reaches the disk, and a crash never loses a saved note.</p>
<p>The export button now writes a single archive containing every notebook, with attachments, in a format other tools can read.</p>
</article></main>
<footer>Copyright 2026 Example Corp. Sitemap. Careers at the marmalade factory.</footer></body></html>`;

const CHINESE = `# 员工手册

公司的年假为每年十五天。请在休假前两周提交申请！病假需要医生证明。

## 报销

差旅费用在出差结束后三十天内报销。报销单需要部门经理签字。`;

interface Hit {
  memory: string;
  metadata: Json;
}

function documentSuite(name: string, setup: () => Promise<{ env: Record<string, string>; drop?: () => Promise<void> }>, skip: string | false = false) {
  describe(`documents through add (${name})`, { skip }, () => {
    let server: TestServer;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      const store = await setup();
      drop = store.drop;
      server = await startTestServer({ ...store.env, MEMCUBE_DOCUMENT_MAX_BYTES: "64kb" });
    });
    after(async () => {
      await server?.cleanup();
      await drop?.();
    });

    const add = (userId: string, messages: unknown[], extra: Record<string, unknown> = {}) =>
      server.post("/product/add", { user_id: userId, messages, async_mode: "sync", ...extra });
    const search = async (userId: string, query: string, extra: Record<string, unknown> = {}): Promise<Hit[]> => {
      const answer = await server.post("/product/search", { user_id: userId, query, top_k: 5, ...extra });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.data.text_mem[0]?.memories ?? [];
    };
    const all = async (userId: string): Promise<Hit[]> => {
      const answer = await server.post("/product/get_all", { user_id: userId });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.data[0]?.memories[0]?.nodes ?? [];
    };

    test("a two-page PDF: a fact from page 2 is found in the chunk from page 2, with its page, file and citation fields", async () => {
      const pdf = buildPdf([
        ["Service contract", "", "The provider answers support tickets within one business day."],
        ["Termination", "", "Either party may cancel the contract with ninety days written notice."],
      ]);
      const answer = await add("pdf-user", [filePart({ file_id: "contract-7", filename: "contract.pdf", file_data: b64(pdf) })]);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.ok(answer.body.data.length >= 2);
      for (const entry of answer.body.data) assert.equal(entry.memory_type, "LongTermMemory");
      const [hit] = await search("pdf-user", "how much notice to cancel the contract");
      assert.ok(hit, "a hit");
      assert.match(hit.memory, /ninety days written notice/);
      const source = hit.metadata.sources[0];
      assert.equal(source.type, "file");
      assert.equal(source.doc_path, "contract.pdf");
      assert.equal(source.file_info.page, 2);
      assert.equal(source.file_info.file_id, "contract-7");
      assert.equal(source.file_info.format, "pdf");
      assert.equal(hit.metadata.source, "file");
      assert.deepEqual(hit.metadata.file_ids, ["contract-7"]);
      assert.ok(hit.metadata.tags.includes("document"));
      const text = hit.memory;
      assert.ok(source.file_info.char_end - source.file_info.char_start <= text.length);
      // No chunk mixes the two pages.
      for (const memory of await all("pdf-user")) {
        const page = memory.metadata.sources[0].file_info.page;
        assert.ok(page === 1 ? !/ninety/.test(memory.memory) : !/business day/.test(memory.memory), memory.memory);
      }
    });

    test("Markdown: chunks follow the headings, and each carries its heading path", async () => {
      const answer = await add("md-user", [filePart({ filename: "handbook.md", file_data: b64(MARKDOWN) })]);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const [hit] = await search("md-user", "who descales the coffee machine");
      assert.match(hit?.memory ?? "", /Priya/);
      assert.doesNotMatch(hit?.memory ?? "", /garage/, "the Parking section is a chunk of its own");
      assert.deepEqual(hit?.metadata.sources[0].file_info.heading_path, ["Office handbook", "Kitchen", "Coffee machine"]);
      assert.equal(hit?.metadata.sources[0].file_info.page, null);
      assert.equal(hit?.metadata.sources[0].file_info.format, "markdown");
    });

    test("HTML: the article is stored, the navigation and the footer are not", async () => {
      const answer = await add("html-user", [{ type: "file", file: { filename: "notes.txt", file_data: b64(HTML) } }]);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const memories = await all("html-user");
      const text = memories.map((memory) => memory.memory).join("\n");
      assert.match(text, /journal that survives power loss/);
      assert.doesNotMatch(text, /zeppelin|marmalade/);
      // Detected by content: the name said .txt.
      assert.equal(memories[0]?.metadata.sources[0].file_info.format, "html");
    });

    test("DOCX: a table's rows are kept cell by cell under their heading", async () => {
      const docx = buildDocx([
        { heading: "Price list", level: 1 },
        { paragraph: "Prices are valid for the whole of 2026." },
        { heading: "Hardware", level: 2 },
        {
          table: [
            ["Item", "Price"],
            ["Gearbox", "1200 euros"],
          ],
        },
      ]);
      const answer = await add("docx-user", [filePart({ filename: "prices.docx", file_data: b64(docx) })]);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const [hit] = await search("docx-user", "gearbox price");
      assert.match(hit?.memory ?? "", /Gearbox \| 1200 euros/);
      assert.deepEqual(hit?.metadata.sources[0].file_info.heading_path, ["Price list", "Hardware"]);
    });

    test("a Chinese document is chunked by sentences and found by its words", async () => {
      const answer = await add("zh-user", [filePart({ filename: "手册.md", file_data: b64(CHINESE) })]);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const [hit] = await search("zh-user", "差旅费用报销");
      assert.match(hit?.memory ?? "", /三十天内报销/);
      assert.deepEqual(hit?.metadata.sources[0].file_info.heading_path, ["员工手册", "报销"]);
      assert.equal(hit?.metadata.sources[0].doc_path, "手册.md");
    });

    test("the same file again is a no-op; new content replaces the chunks, with no orphan left", async () => {
      const first = await add("re-user", [filePart({ file_id: "faq", filename: "faq.md", file_data: b64("# FAQ\n\nThe wifi password is orange-kite.\n") })]);
      assert.equal(first.status, 200);
      const again = await add("re-user", [filePart({ file_id: "faq", filename: "faq.md", file_data: b64("# FAQ\n\nThe wifi password is orange-kite.\n") })]);
      assert.equal(again.status, 200);
      assert.deepEqual(
        again.body.data.map((entry: { memory_id: string }) => entry.memory_id),
        first.body.data.map((entry: { memory_id: string }) => entry.memory_id),
      );
      assert.match(again.headers.get("x-memcube-notice") ?? "", /unchanged/);
      const changed = await add("re-user", [filePart({ file_id: "faq", filename: "faq.md", file_data: b64("# FAQ\n\nThe wifi password is blue-heron.\n") })]);
      assert.equal(changed.status, 200);
      const memories = await all("re-user");
      assert.deepEqual(
        memories.map((memory) => memory.memory),
        ["The wifi password is blue-heron."],
      );
      assert.ok((await search("re-user", "orange-kite wifi password")).every((hit) => !hit.memory.includes("orange-kite")));
      // A part with only the file_id names the file added before.
      const named = await add("re-user", [filePart({ file_id: "faq" })]);
      assert.equal(named.status, 200);
      assert.deepEqual(
        named.body.data.map((entry: { memory: string }) => entry.memory),
        ["The wifi password is blue-heron."],
      );
      const unknown = await add("re-user", [filePart({ file_id: "nope" })]);
      assert.equal(unknown.status, 422);
      assert.match(unknown.body.message, /messages\.0\.content\.0\.file\.file_id: no file 'nope' in cube 're-user'/);
    });

    test("delete_memory by file_ids removes every chunk of the file, from search (vectors and keywords) too", async () => {
      const pdf = buildPdf([["Alpha page about the quokka enclosure."], ["Beta page: the quokka eats leaves at noon."]]);
      await add("del-user", [filePart({ file_id: "zoo", filename: "zoo.pdf", file_data: b64(pdf) })]);
      await add("del-user", [{ role: "user", content: "I visited the quokka yesterday" }]);
      assert.ok((await all("del-user")).length >= 3);
      const filtered = await search("del-user", "quokka", { filter: { file_ids: "zoo" } });
      assert.ok(filtered.length >= 2);
      assert.ok(filtered.every((hit) => hit.metadata.file_ids[0] === "zoo"));
      const listed = await server.post("/product/get_all", { user_id: "del-user", filter: { file_ids: { in: ["zoo"] } } });
      assert.equal(listed.body.data[0].memories[0].nodes.length, 2);
      assert.equal(listed.body.data[0].total_nodes, 2);
      const one = await server.post("/product/get_memory", { user_id: "del-user", mem_cube_id: "del-user", filter: { file_ids: "zoo" } });
      assert.equal(one.body.data.text_mem[0].memories.length, 2);
      const deleted = await server.post("/product/delete_memory", { user_id: "del-user", file_ids: ["zoo"] });
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
      const left = await all("del-user");
      assert.deepEqual(
        left.map((memory) => memory.memory),
        ["I visited the quokka yesterday"],
      );
      assert.deepEqual(
        (await search("del-user", "quokka leaves noon enclosure")).map((hit) => hit.memory),
        ["I visited the quokka yesterday"],
      );
    });

    test("a PDF with no text layer is stored as a note saying so, not as an empty success", async () => {
      const answer = await add("scan-user", [filePart({ filename: "scan.pdf", file_data: b64(buildPdf([[]])) })]);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.data.length, 1);
      assert.match(answer.body.data[0].memory, /scan\.pdf: no extractable text/);
      assert.match(answer.headers.get("x-memcube-notice") ?? "", /no extractable text/);
      const [memory] = await all("scan-user");
      assert.equal(memory?.metadata.sources[0].file_info.no_text, true);
    });

    test("a corrupt PDF, an empty file and an unknown binary are 422s naming the file and the reason; nothing is stored", async () => {
      const good = filePart({ filename: "fine.md", file_data: b64("# Fine\n\nThis file alone would be fine.") });
      const cases: [Record<string, string>, RegExp][] = [
        [{ filename: "broken.pdf", file_data: b64(buildPdf([["cut short"]]).subarray(0, 120)) }, /file 'broken\.pdf' cannot be read: not a valid PDF/],
        [{ filename: "empty.txt", file_data: "" }, /file 'empty\.txt' cannot be read: the file is empty/],
        [{ filename: "blob.bin", file_data: b64(Buffer.from([1, 2, 0, 3, 255, 254])) }, /file 'blob\.bin' cannot be read: not a text file/],
        [
          { filename: "locked.pdf", file_data: b64(buildPdf([["Salaries 2026"]], { locked: true })) },
          /file 'locked\.pdf' cannot be read: the PDF is password-protected/,
        ],
        [{ filename: "locked.docx", file_data: b64(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])) }, /password-protected/],
      ];
      for (const [file, reason] of cases) {
        const answer = await add("bad-user", [good, filePart(file)]);
        assert.equal(answer.status, 422, JSON.stringify(answer.body));
        assert.match(answer.body.message, reason);
        assert.match(answer.body.message, /^messages\.1\.content\.0\.file/);
      }
      assert.deepEqual(await all("bad-user"), []);
    });

    test("a file over MEMCUBE_DOCUMENT_MAX_BYTES is a 413 naming the limit", async () => {
      const answer = await add("big-user", [filePart({ filename: "big.txt", file_data: b64("word ".repeat(20_000)) })]);
      assert.equal(answer.status, 413, JSON.stringify(answer.body));
      assert.match(answer.body.message, /file 'big\.txt' is larger than the 65536-byte limit for a document \(MEMCUBE_DOCUMENT_MAX_BYTES\)/);
      assert.deepEqual(await all("big-user"), []);
    });

    test("async (MemOS's default): the file is a durable job that /product/scheduler/status reports; its chunks are searchable once it is done", async () => {
      const answer = await server.post("/product/add", {
        user_id: "async-user",
        task_id: "import-1",
        messages: [filePart({ filename: "menu.md", file_data: b64("# Canteen\n\nOn Wednesdays the canteen serves lentil soup.\n") })],
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.match(answer.headers.get("x-memcube-notice") ?? "", /file 'menu\.md' is stored in the background by task [0-9a-f-]{36}/);
      let status: Json;
      for (let attempt = 0; attempt < 200; attempt++) {
        status = (await server.get("/product/scheduler/status?user_id=async-user&task_id=import-1")).body;
        if (status.data?.[0]?.status === "completed") break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(status.data, [{ task_id: "import-1", status: "completed" }]);
      const [hit] = await search("async-user", "what soup on wednesday");
      assert.match(hit?.memory ?? "", /lentil soup/);
      assert.equal(hit?.metadata.sources[0].doc_path, "menu.md");
    });

    test("a URL part is refused while fetching is off (the default)", async () => {
      const answer = await add("url-user", [filePart({ filename: "page.html", file_data: "https://example.com/page.html" })]);
      assert.equal(answer.status, 422, JSON.stringify(answer.body));
      assert.match(answer.body.message, /file 'page\.html': URLs are not fetched on this server \(MEMCUBE_FETCH_URLS is off\)/);
      assert.deepEqual(await all("url-user"), []);
    });
  });
}

documentSuite("SQLite", async () => ({ env: {} }));
documentSuite(
  "PostgreSQL",
  async () => {
    const schema = await freshSchema("documents");
    return { env: { MEMCUBE_STORE: "postgres", DATABASE_URL: schema.url }, drop: () => schema.drop() };
  },
  POSTGRES_SKIP,
);
