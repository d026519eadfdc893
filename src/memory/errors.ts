/**
 * Domain errors. Each carries the HTTP-independent meaning of the failure; the API layer maps the
 * kind to a status code. Messages are safe to show the caller.
 */
/** `unprocessable`: well-formed input whose content cannot be used (a file that cannot be read), named in the message. */
export type DomainErrorKind = "not_found" | "forbidden" | "conflict" | "invalid" | "unprocessable" | "unavailable" | "upstream" | "full";

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const cubeNotFound = (cubeId: string) => new DomainError("not_found", `cube '${cubeId}' does not exist`);
export const cubeForbidden = (userId: string, cubeId: string, action: "read" | "write" | "manage") =>
  new DomainError("forbidden", `user '${userId}' may not ${action} cube '${cubeId}'`);
