import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody } from "./schemas/envelope.js";

export type Detail = NonNullable<ErrorBody["detail"]>[number];

/** An error answered to the client as it is, with the envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly detail?: Detail[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A request field that is wrong: 422 with `<field path>: <problem>`. */
export function invalidField(path: readonly (string | number)[], problem: string, source: "body" | "query" = "body"): ApiError {
  const location = path.length > 0 ? path.join(".") : source;
  return new ApiError(422, `${location}: ${problem}`, [{ loc: [source, ...path], msg: problem, type: "value_error" }]);
}
