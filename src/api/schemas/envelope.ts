import { z } from "zod";

/** The MemOS envelope around every response body but /health, /docs and /openapi.json. */
export const envelope = <T extends z.ZodType>(data: T) => z.object({ code: z.number().int(), message: z.string(), data });

export const ErrorEnvelope = z
  .object({
    code: z.number().int(),
    message: z.string().describe("What went wrong; for validation errors, `<field path>: <problem>`"),
    data: z.null(),
    detail: z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })).optional(),
    request_id: z.string().optional(),
  })
  .meta({ id: "ErrorResponse" });
export type ErrorBody = z.infer<typeof ErrorEnvelope>;

export function success<T>(data: T, message = "ok"): { code: 200; message: string; data: T } {
  return { code: 200, message, data };
}
