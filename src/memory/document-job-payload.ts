/** A document job's payload: a file read in the request, to be embedded and stored by the job runner. */
import { z } from "zod";

export const DOCUMENT_JOB = "document";

const ChunkInfoSchema = z
  .object({
    file_id: z.string(),
    filename: z.string(),
    doc_path: z.string(),
    file_hash: z.string(),
    file_format: z.string(),
    chunk_index: z.number().int(),
    chunk_total: z.number().int(),
    page: z.number().int().optional(),
    heading_path: z.array(z.string()),
    char_start: z.number().int(),
    char_end: z.number().int(),
    no_text: z.literal(true).optional(),
  })
  .strict();

export const DocumentPayload = z.object({
  sessionId: z.string(),
  tags: z.array(z.string()),
  info: z.record(z.string(), z.unknown()),
  clientTaskId: z.string().optional(),
  file: z.object({
    key: z.string(),
    name: z.string(),
    hash: z.string(),
    chunks: z.array(z.object({ text: z.string(), indexed: z.string(), info: ChunkInfoSchema })),
  }),
});
export type DocumentPayload = z.infer<typeof DocumentPayload>;
