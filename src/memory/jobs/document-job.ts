/**
 * The job that stores a document added with async_mode "async": the file was read and chunked in
 * the request (so a bad file was refused there); the job embeds the chunks and stores them, then
 * removes the chunks of the version it replaces. Storing is idempotent (message ids come from the
 * file and its content), so a job run again after a crash stores nothing twice.
 */
import type { JobClaim, JobRecord } from "../../store/types.js";
import type { MemoryContext } from "../context.js";
import { DocumentPayload } from "../document-job-payload.js";
import { fileChunks, storeChunks } from "../documents.js";
import { DomainError } from "../errors.js";
import { PermanentJobError } from "./job-errors.js";
import type { JobHandler } from "./runner.js";

export function documentJobHandler(context: MemoryContext): JobHandler {
  return async (job: JobRecord, claim: JobClaim, signal: AbortSignal) => {
    const parsed = DocumentPayload.safeParse(job.payload);
    if (!parsed.success) throw new PermanentJobError(`a document job whose payload makes no sense: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    const { sessionId, tags, info, file } = parsed.data;
    const now = context.now().toISOString();
    try {
      await storeChunks(context, { userId: job.userId, sessionId, tags, info, signal }, [{ cubeId: job.cubeId, file }], now);
    } catch (error) {
      // The user lost the right to write the cube (or it went) since the add: another attempt would fail the same way.
      if (error instanceof DomainError && (error.kind === "forbidden" || error.kind === "not_found")) throw new PermanentJobError(error.message);
      throw error;
    }
    const memoryIds = (await fileChunks(context, job.cubeId, file.key)).map((memory) => memory.id);
    await context.store.finishJob(claim, { status: "done", result: { memoryIds, fileId: file.key, chunks: file.chunks.length } }, context.now().toISOString());
  };
}
