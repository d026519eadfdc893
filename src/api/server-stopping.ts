/**
 * Why work still running at the end of the grace period is aborted: the operator stopped the
 * server. It is the abort reason the server gives its embedding (and whatever else listens), so
 * that a request failing with it is answered and logged as cut by the shutdown, not as a bug.
 */
export class ServerStopping extends Error {
  constructor() {
    super("the server is stopping");
    this.name = "ServerStopping";
  }
}

/** The status a request cut by the shutdown is answered, logged and counted with. */
export const SERVER_STOPPING_STATUS = 503;
