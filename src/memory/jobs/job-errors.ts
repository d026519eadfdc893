/**
 * A job failure that another attempt would only repeat (a model that cannot produce the format,
 * a payload that makes no sense): the job is parked at once instead of retried with backoff.
 */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}
