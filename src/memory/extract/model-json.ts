import type { z } from "zod";
import type { ChatMessage, ChatModel } from "../../llm/chat-model.js";
import { PermanentJobError } from "../jobs/job-errors.js";
import { LooseJsonError, parseLooseJson } from "./loose-json.js";

/** The model could not give a usable answer, even after being shown what was wrong. */
export class ModelFormatError extends PermanentJobError {
  constructor(problem: string) {
    super(`the extraction model's answer was unusable twice: ${problem}`);
    this.name = "ModelFormatError";
  }
}

export interface JsonAnswer<T> {
  value: T;
  /** The first answer needed the second chance. */
  retried: boolean;
}

/** The longest bad answer shown back to the model: enough to see the mistake, not a context overflow. */
const MAX_ECHO = 4000;

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function parse<S extends z.ZodType>(schema: S, raw: string): Parsed<z.output<S>> {
  let json: unknown;
  try {
    json = parseLooseJson(raw);
  } catch (error) {
    if (error instanceof LooseJsonError) return { ok: false, problem: error.message };
    throw error;
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problem: result.error.issues[0]?.message ?? "not the expected shape" };
}

/**
 * Asks for JSON: the answer is repaired where it can be (fences, prose around it, trailing commas,
 * a missing last bracket) and validated with the schema. An unusable answer, or one `check` objects
 * to, gets one more try with the problem explained; then the first usable answer wins, and if
 * there is none the call fails with ModelFormatError. Model failures (UpstreamError) pass through.
 */
export async function completeJson<S extends z.ZodType>(
  model: ChatModel,
  messages: readonly ChatMessage[],
  schema: S,
  options: {
    signal: AbortSignal;
    /** The correction turn for a problem. */
    retryTurn: (problem: string) => string;
    /** A problem with a well-formed answer worth one more try (undefined: fine). */
    check?: (value: z.output<S>) => { problem: string; turn: string } | undefined;
  },
): Promise<JsonAnswer<z.output<S>>> {
  const first = await model.complete(messages, { signal: options.signal });
  const parsed = parse(schema, first.text);
  const objection = parsed.ok ? options.check?.(parsed.value) : undefined;
  if (parsed.ok && !objection) return { value: parsed.value, retried: false };

  const turn = parsed.ok ? (objection?.turn ?? "") : options.retryTurn(parsed.problem);
  const second = await model.complete([...messages, { role: "assistant", content: first.text.slice(0, MAX_ECHO) }, { role: "user", content: turn }], {
    signal: options.signal,
  });
  const again = parse(schema, second.text);
  if (again.ok) return { value: again.value, retried: true };
  if (parsed.ok) return { value: parsed.value, retried: true };
  throw new ModelFormatError(again.problem);
}
