import type { ChatDelta } from "./chat-model.js";

const OPEN = "<think>";
const CLOSE = "</think>";

type State = "start" | "thinking" | "afterThink" | "text";

/** Length of the longest suffix of `text` that is a proper prefix of `tag` (a tag cut by a chunk boundary). */
function partialTagAtEnd(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}

/**
 * Splits streamed content into reasoning and answer text for models that think inline
 * (`<think>…</think>` then the answer, as DeepSeek-R1 distills and Qwen3 served raw do).
 *
 * Only a `<think>` block at the very start (after optional whitespace) counts; content that starts
 * otherwise is all answer text, so a model that merely mentions the tag later is left alone.
 * Tags may be cut anywhere by chunk boundaries, so the splitter holds back the few characters that
 * could still turn into a tag. Reasoning is trimmed at both ends and the newlines right after
 * `</think>` are dropped. A block that never closes stays reasoning (the model ran out of tokens
 * while thinking: there is no answer to show).
 *
 * Pure and synchronous: `push()` each content chunk, then `end()` once; both return the deltas
 * that are now certain.
 */
export class ThinkSplitter {
  private state: State = "start";
  private pending = "";
  private reasoningStarted = false;

  push(chunk: string): ChatDelta[] {
    const out: ChatDelta[] = [];
    this.pending += chunk;
    this.drain(out);
    return out;
  }

  end(): ChatDelta[] {
    const out: ChatDelta[] = [];
    const rest = this.pending;
    this.pending = "";
    if (this.state === "start" && rest !== "") out.push({ type: "text", text: rest });
    if (this.state === "thinking") this.emitReasoning(rest.trimEnd(), out);
    this.state = "text";
    return out;
  }

  private drain(out: ChatDelta[]): void {
    // Each pass either moves to a later state or returns waiting for more input.
    for (;;) {
      switch (this.state) {
        case "start": {
          const trimmed = this.pending.trimStart();
          if (trimmed.startsWith(OPEN)) {
            this.pending = trimmed.slice(OPEN.length);
            this.state = "thinking";
            continue;
          }
          if (OPEN.startsWith(trimmed)) return; // only whitespace or part of "<think>" so far
          this.state = "text";
          continue;
        }
        case "thinking": {
          const close = this.pending.indexOf(CLOSE);
          if (close >= 0) {
            this.emitReasoning(this.pending.slice(0, close).trimEnd(), out);
            this.pending = this.pending.slice(close + CLOSE.length);
            this.state = "afterThink";
            continue;
          }
          // Hold back a possible partial "</think>" and trailing whitespace (it may precede the tag).
          const safe = this.pending.slice(0, this.pending.length - partialTagAtEnd(this.pending, CLOSE));
          const emit = safe.trimEnd();
          this.emitReasoning(emit, out);
          this.pending = this.pending.slice(emit.length);
          return;
        }
        case "afterThink": {
          this.pending = this.pending.replace(/^[\r\n]+/, "");
          if (this.pending === "") return; // maybe more newlines to come
          this.state = "text";
          continue;
        }
        case "text": {
          if (this.pending !== "") out.push({ type: "text", text: this.pending });
          this.pending = "";
          return;
        }
      }
    }
  }

  private emitReasoning(text: string, out: ChatDelta[]): void {
    const piece = this.reasoningStarted ? text : text.trimStart();
    if (piece === "") return;
    this.reasoningStarted = true;
    out.push({ type: "reasoning", text: piece });
  }
}

/** Splits a whole (non-streamed) content string. */
export function splitThink(content: string): { text: string; reasoning: string } {
  const splitter = new ThinkSplitter();
  const deltas = [...splitter.push(content), ...splitter.end()];
  const join = (type: ChatDelta["type"]) =>
    deltas
      .filter((delta) => delta.type === type)
      .map((delta) => delta.text)
      .join("");
  return { text: join("text"), reasoning: join("reasoning") };
}
