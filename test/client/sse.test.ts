/**
 * The one server-sent-events parser of the client and the playground: every line end the standard
 * allows, however the stream is cut into chunks.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemcubeClient } from "../../src/client/index.js";
import { ServerSentEventParser, serverSentEvents, type ServerSentEvent } from "../../src/client/sse.js";

/** Every event of a stream fed in these pieces, then ended. */
function parse(...chunks: string[]): ServerSentEvent[] {
  const parser = new ServerSentEventParser();
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
}

const datas = (events: readonly ServerSentEvent[]) => events.map(({ data }) => data);

/** A response body that arrives in these byte pieces. */
function bodyOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** Every way to cut a text in two, one cut per position. */
const cutsOf = (text: string) => Array.from({ length: text.length + 1 }, (_, at) => [text.slice(0, at), text.slice(at)] as const);

describe("ServerSentEventParser", () => {
  test("lines end in \\n, \\r\\n or \\r, also mixed in one stream", () => {
    assert.deepEqual(datas(parse("data: one\n\n")), ["one"]);
    assert.deepEqual(datas(parse("data: one\r\n\r\ndata: two\r\n\r\n")), ["one", "two"]);
    assert.deepEqual(datas(parse("data: one\r\rdata: two\r\r")), ["one", "two"]);
    assert.deepEqual(datas(parse("data: one\r\n\ndata: two\r\rdata: three\n\r\n")), ["one", "two", "three"]);
  });

  test("data lines join with \\n; one space after the colon is dropped, no more", () => {
    assert.deepEqual(datas(parse("data: first\r\ndata:second\r\ndata:  third\r\n\r\n")), ["first\nsecond\n third"]);
    assert.deepEqual(datas(parse("data\ndata\n\n")), ["\n"], "a field without a colon has an empty value");
  });

  test("comments, unknown fields and events without data are skipped; event and id are kept", () => {
    const events = parse(": keep-alive\r\n\r\nretry: 1000\r\nfoo: bar\r\n\r\nevent: frame\r\nid: 7\r\ndata: {}\r\n\r\ndata: next\r\n\r\n");
    assert.deepEqual(events, [
      { type: "frame", data: "{}", lastEventId: "7" },
      { type: "message", data: "next", lastEventId: "7" },
    ]);
  });

  test("a frame cut anywhere, also between \\r and \\n, reads the same", () => {
    const stream = 'data: {"type":"text","data":"a\\r\\nb"}\r\n\r\n: ping\r\ndata: {"type":"end"}\r\n\r\n';
    const whole = datas(parse(stream));
    assert.deepEqual(whole, ['{"type":"text","data":"a\\r\\nb"}', '{"type":"end"}']);
    for (const [head, tail] of cutsOf(stream)) assert.deepEqual(datas(parse(head, tail)), whole, JSON.stringify([head, tail]));
    assert.deepEqual(datas(parse(...stream)), whole, "one character at a time");
  });

  test("a \\r\\n split between chunks is one line end, not two (which would end the event early)", () => {
    assert.deepEqual(datas(parse("data: a\r", "\ndata: b\r\n\r\n")), ["a\nb"]);
  });

  test("the end of the stream: a final \\r ends its line; an event no blank line ended is dropped", () => {
    assert.deepEqual(datas(parse("data: a\r\r")), ["a"]);
    assert.deepEqual(datas(parse("data: a\n\r")), ["a"]);
    assert.deepEqual(datas(parse("data: a\r\n\r\ndata: unfinished\r\n")), ["a"]);
  });

  test("a leading byte order mark is not part of the first field", () => {
    assert.deepEqual(datas(parse("\uFEFFdata: a\n\n")), ["a"]);
  });
});

describe("serverSentEvents", () => {
  test("decodes UTF-8 split inside a character, and CRLF split between chunks", async () => {
    const bytes = new TextEncoder().encode("data: 我想去广州\r\n\r\n");
    const cut = 8; // inside 我 (bytes 6-8), and again just after the first \r
    const crAt = bytes.indexOf(13) + 1;
    const events: ServerSentEvent[] = [];
    for await (const event of serverSentEvents(bodyOf([bytes.slice(0, cut), bytes.slice(cut, crAt), bytes.slice(crAt)]))) events.push(event);
    assert.deepEqual(datas(events), ["我想去广州"]);
  });
});

describe("MemcubeClient.chatStream", () => {
  test("reads frames from a stream whose lines end in \\r, cut between chunks", async () => {
    const encoder = new TextEncoder();
    const text = 'data: {"type":"status","data":"0"}\r\rdata: {"type":"text","data":"hi"}\r\rdata: {"type":"end"}\r\r';
    const chunks = [text.slice(0, 20), text.slice(20, 37), text.slice(37)].map((piece) => encoder.encode(piece));
    const client = new MemcubeClient({
      baseUrl: "http://memcube.invalid",
      userId: "alice",
      // What a proxy that rewrites line ends would deliver; no server of memcube sends \r alone.
      fetch: async () => new Response(bodyOf(chunks), { status: 200, headers: { "content-type": "text/event-stream" } }),
    });
    const frames = [];
    for await (const frame of client.chatStream({ query: "hello" })) frames.push(frame);
    assert.deepEqual(frames, [{ type: "status", data: "0" }, { type: "text", data: "hi" }, { type: "end" }]);
  });
});
