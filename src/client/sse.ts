/**
 * Server-sent events (`text/event-stream`, as the HTML standard defines the format), read by the
 * client and by the playground page alike: one parser, so the two cannot drift. Pure and free of
 * Node-only APIs (`TextDecoder` and web streams are in browsers, Node 20+, Deno and Bun).
 */

export interface ServerSentEvent {
  /** The `event` field, `message` when the event names none. */
  type: string;
  /** The `data` lines joined with `\n`. */
  data: string;
  /** The last `id` field the stream has sent, up to and including this event ("" when none). */
  lastEventId: string;
}

/**
 * Turns decoded text, in chunks of any size, into events. Lines may end in `\r\n`, `\n` or `\r`;
 * `:` lines are comments; a blank line ends an event, and an event without data is dropped. `retry`
 * is ignored: nothing here reconnects.
 */
export class ServerSentEventParser {
  /** Text after the last complete line (it may end in a `\r` whose `\n` is still to come). */
  private rest = "";
  private started = false;
  private data = "";
  private type = "";
  private lastEventId = "";

  /** Feeds the next piece of the stream's text; returns the events it completes. */
  push(text: string): ServerSentEvent[] {
    return this.read(text, false);
  }

  /**
   * The stream ended: a `\r` it ended with ends its line. An event not yet ended by a blank line is
   * dropped, as the standard says.
   */
  end(): ServerSentEvent[] {
    const events = this.read("", true);
    this.rest = "";
    this.data = "";
    this.type = "";
    return events;
  }

  private read(text: string, ended: boolean): ServerSentEvent[] {
    if (!this.started && text !== "") {
      this.started = true;
      if (text.startsWith("\uFEFF")) text = text.slice(1);
    }
    // Everything in `rest` before its last character was already searched for line ends.
    const lineEnd = /\r\n|\r|\n/g;
    lineEnd.lastIndex = Math.max(0, this.rest.length - 1);
    const buffer = this.rest + text;
    const events: ServerSentEvent[] = [];
    let lineStart = 0;
    for (let found = lineEnd.exec(buffer); found; found = lineEnd.exec(buffer)) {
      // A `\r` at the very end may be the first half of a `\r\n` split across chunks: wait for the next one.
      if (found[0] === "\r" && found.index === buffer.length - 1 && !ended) break;
      this.line(buffer.slice(lineStart, found.index), events);
      lineStart = found.index + found[0].length;
    }
    this.rest = buffer.slice(lineStart);
    return events;
  }

  private line(line: string, events: ServerSentEvent[]): void {
    if (line === "") return this.dispatch(events);
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const raw = colon === -1 ? "" : line.slice(colon + 1);
    const value = raw.startsWith(" ") ? raw.slice(1) : raw;
    if (field === "data") this.data += `${value}\n`;
    else if (field === "event") this.type = value;
    else if (field === "id" && !value.includes("\0")) this.lastEventId = value;
  }

  private dispatch(events: ServerSentEvent[]): void {
    if (this.data !== "") events.push({ type: this.type || "message", data: this.data.slice(0, -1), lastEventId: this.lastEventId });
    this.data = "";
    this.type = "";
  }
}

/**
 * The events of a response body as they arrive (UTF-8, also when a character is split between
 * chunks). Leaving the loop early cancels the body.
 */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new ServerSentEventParser();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        yield* parser.push(decoder.decode());
        yield* parser.end();
        return;
      }
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    if (!finished) reader.cancel().catch(() => undefined);
  }
}
