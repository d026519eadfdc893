/**
 * Who a request is: the middleware authenticates (401) every route but the public ones, and refuses
 * a read-only key on a route not declared read-only (403), before any body is read.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Principal } from "../app-env.js";
import { errorResponse } from "../errors.js";
import type { KeyRing } from "./key-ring.js";
import { isReadOnlyRoute } from "./read-only.js";

/**
 * Routes anyone may call: the home page, liveness, readiness, the API's documentation and the
 * playground page (static files; the page itself sends the key the user enters with each API call).
 */
export function isPublicPath(path: string): boolean {
  return (
    path === "/" ||
    path === "/health" ||
    path === "/ready" ||
    path === "/openapi.json" ||
    path === "/docs" ||
    path.startsWith("/docs/") ||
    path === "/playground" ||
    path.startsWith("/playground/")
  );
}

/** `Bearer <key>`, or `Token <key>` as MemOS's clients send it. */
const KEY_HEADER = /^(?:Bearer|Token)[ \t]+(\S+)[ \t]*$/i;
const OPEN: Principal = { kind: "open" };

/**
 * Sets the request's principal. With keys, every route but the public ones needs `Authorization:
 * Bearer <key>` (or `Token <key>`): none or an unknown one is a 401. Without keys (open mode) every request may act
 * as the user its body names.
 */
export function authenticate(keys: KeyRing | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!keys || isPublicPath(c.req.path)) {
      c.set("principal", OPEN);
      return next();
    }
    const header = c.req.header("authorization");
    const presented = header === undefined ? undefined : KEY_HEADER.exec(header)?.[1];
    const principal = presented === undefined ? undefined : keys.identify(presented);
    if (!principal) {
      c.header("WWW-Authenticate", 'Bearer realm="memcube"');
      const problem = header === undefined ? "missing API key: send Authorization: Bearer <key>" : "unknown API key";
      return errorResponse(c, 401, `authorization: ${problem}`);
    }
    if (principal.kind !== "open" && principal.readOnly && !isReadOnlyRoute(c)) {
      return errorResponse(
        c,
        403,
        `this API key is read-only: ${c.req.method} ${c.req.path} may change data (read-only keys may search, read and chat without write-back)`,
      );
    }
    c.set("principal", principal);
    return next();
  };
}
