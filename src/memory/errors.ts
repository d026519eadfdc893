/**
 * Domain errors. Each carries the HTTP-independent meaning of the failure; the API layer maps the
 * kind to a status code. Messages are safe to show the caller.
 */
export type DomainErrorKind = "not_found" | "forbidden" | "conflict" | "invalid" | "unavailable" | "upstream" | "full";

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
