import type { Context } from "hono";
import { z } from "zod";
import { HTTPException } from "hono/http-exception";
import { ApiError, invalidField, type Detail } from "./api-error.js";
import { ClientClosedRequest } from "./client-closed.js";
import { InvalidUtf8Error, decodeUtf8Strictly } from "./utf8.js";

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];

function pathOf(issue: { path: readonly PropertyKey[] }, prefix: Path): Path {
  return [...prefix, ...issue.path.map((part) => (typeof part === "number" ? part : String(part)))];
}

/** How far a union branch got: deeper paths, then a right type with a wrong value, win. */
function progress(branch: readonly { path: Path; issue: Issue }[]): number {
  return Math.max(...branch.map(({ path, issue }) => path.length * 2 + (issue.code === "invalid_type" ? 0 : 1)));
}

/**
 * Flattens issues; for a union (e.g. `messages`: string or list) keeps the branch that got furthest,
 * so the caller hears "messages.0.role: …" rather than "invalid input".
 */
function flatten(issues: readonly Issue[], prefix: Path = []): { path: Path; issue: Issue }[] {
  return issues.flatMap((issue) => {
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const branches = issue.errors.map((branch) => flatten(branch, pathOf(issue, prefix)));
      return branches.reduce((best, branch) => (progress(branch) > progress(best) ? branch : best));
    }
    return [{ path: pathOf(issue, prefix), issue }];
  });
}

function problemOf(issue: Issue): string {
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) return "field required";
  if (issue.code === "unrecognized_keys") return `unknown fields ${issue.keys.join(", ")}`;
  return issue.message.replace(/^Invalid input: /, "");
}

export type Location = "body" | "query" | "path";

/** Zod issues → the 422 envelope. */
export function validationError(issues: readonly Issue[], location: Location = "body"): ApiError {
  const entries = flatten(issues);
  const detail: Detail[] = entries.map(({ path, issue }) => ({ loc: [location, ...path], msg: problemOf(issue), type: issue.code }));
  const first = entries[0];
  if (!first) return invalidField([], "invalid request");
  const field = first.path.length > 0 ? first.path.join(".") : location;
  return new ApiError(422, `${field}: ${problemOf(first.issue)}`, detail);
}

/** How deep JSON nests (a scalar is 0). Iterative: a hostile body must not overflow the stack. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop() as { value: unknown; depth: number };
    if (current === null || typeof current !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(current)) pending.push({ value: child, depth: depth + 1 });
  }
  return deepest;
}

/** A field sent as null means the same as one left out: in the body and in its lists of objects. */
export function dropNulls(body: unknown): unknown {
  const clean = (value: unknown): unknown => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null));
  };
  const top = clean(body);
  if (top === null || typeof top !== "object" || Array.isArray(top)) return top;
  return Object.fromEntries(Object.entries(top).map(([key, field]) => [key, Array.isArray(field) ? field.map(clean) : field]));
}

export interface BodyLimits {
  maxDepth: number;
}

/** The body's bytes; a body cut off by its client (the connection closed mid-body) is ClientClosedRequest. */
async function bodyBytes(c: Context): Promise<Uint8Array> {
  try {
    return new Uint8Array(await c.req.arrayBuffer());
  } catch (error) {
    if (error instanceof HTTPException) throw error; // the body limit's 413
    throw new ClientClosedRequest(error);
  }
}

/** The body as text, decoded strictly: 400 naming the first byte that is not UTF-8, never a U+FFFD stored. */
async function bodyText(c: Context): Promise<string> {
  const bytes = await bodyBytes(c);
  try {
    return decodeUtf8Strictly(bytes);
  } catch (error) {
    if (error instanceof InvalidUtf8Error) throw new ApiError(400, `body: ${error.message}`);
    throw error;
  }
}

/**
 * Reads the JSON body whatever its content type: 400 when it is not UTF-8 or not JSON, 422 when it
 * is not right. Every JSON route reads its body here.
 */
export async function readBody<S extends z.ZodType>(c: Context, schema: S, limits: BodyLimits): Promise<z.infer<S>> {
  const text = await bodyText(c);
  let json: unknown;
  try {
    json = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, "body: malformed JSON");
  }
  // The top level is an object, unless the route's schema is a list (MemOS's get_memory_by_ids takes a bare array).
  const wantsList = schema instanceof z.ZodArray;
  if (json === null || typeof json !== "object" || Array.isArray(json) !== wantsList)
    throw invalidField([], wantsList ? "expected a JSON array" : "expected a JSON object");
  if (nestingDepth(json) > limits.maxDepth) throw invalidField([], `nested deeper than ${limits.maxDepth} levels`);
  return parseWith(schema, dropNulls(json));
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown, location: Location = "body"): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error.issues, location);
  return result.data;
}
