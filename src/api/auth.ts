/**
 * API keys: who a request may act as. The middleware authenticates (401) every route but the public
 * ones; `authorize` checks the acting user a route declares (403). Routes declare where their acting
 * user is (`actor` in src/api/route.ts), so no handler checks it itself.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { ApiKeyGrant, Config } from "../config/index.js";
import { ConfigError } from "../config/index.js";
import type { MemoryContext } from "../memory/context.js";
import { reserveDefaultCubes } from "../memory/cubes.js";
import { ApiError } from "./api-error.js";
import type { AppEnv } from "./app-env.js";
import { errorResponse } from "./errors.js";

/** Who a request acts for: anyone (open mode, or an admin key), or one user. */
export type Principal = { kind: "open" } | { kind: "admin" } | { kind: "user"; userId: string };

const digestOf = (key: string) => createHash("sha256").update(key, "utf8").digest();

/** The configured keys, kept only as SHA-256 digests. */
export class KeyRing {
  private readonly entries: { digest: Buffer; principal: Principal }[];

  constructor(grants: readonly ApiKeyGrant[]) {
    this.entries = grants.map(({ key, actor }) => ({
      digest: digestOf(key),
      principal: actor === "*" ? { kind: "admin" } : { kind: "user", userId: actor },
    }));
  }

  /**
   * The principal of a presented key. Digests have one length whatever the key's, and every entry is
   * compared in constant time with no early exit, so timing tells nothing about the keys.
   */
  identify(presented: string): Principal | undefined {
    const digest = digestOf(presented);
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest)) found ??= entry.principal;
    }
    return found;
  }

  /** The users of the non-admin keys (their default cubes are reserved for them). */
  users(): string[] {
    return [...new Set(this.entries.flatMap(({ principal }) => (principal.kind === "user" ? [principal.userId] : [])))];
  }
}

/**
 * Routes anyone may call: liveness, readiness, the API's documentation and the playground page (static
 * files; the page itself sends the key the user enters with each API call).
 */
export function isPublicPath(path: string): boolean {
  return (
    path === "/health" ||
    path === "/ready" ||
    path === "/openapi.json" ||
    path === "/docs" ||
    path.startsWith("/docs/") ||
    path === "/playground" ||
    path.startsWith("/playground/")
  );
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const OPEN: Principal = { kind: "open" };

/**
 * Sets the request's principal. With keys, every route but the public ones needs `Authorization:
 * Bearer <key>`: none or an unknown one is a 401. Without keys (open mode) every request may act
 * as the user its body names.
 */
export function authenticate(keys: KeyRing | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!keys || isPublicPath(c.req.path)) {
      c.set("principal", OPEN);
      return next();
    }
    const header = c.req.header("authorization");
    const presented = header === undefined ? undefined : BEARER.exec(header)?.[1];
    const principal = presented === undefined ? undefined : keys.identify(presented);
    if (!principal) {
      c.header("WWW-Authenticate", 'Bearer realm="memcube"');
      const problem = header === undefined ? "missing API key: send Authorization: Bearer <key>" : "unknown API key";
      return errorResponse(c, 401, `authorization: ${problem}`);
    }
    c.set("principal", principal);
    return next();
  };
}

/** The request's key may act as this user (403 otherwise). */
export function authorize(c: Context<AppEnv>, actingUser: string): void {
  const principal = c.get("principal");
  if (principal.kind === "user" && principal.userId !== actingUser) {
    throw new ApiError(403, `this API key may not act as user '${actingUser}'`);
  }
  const limiter = c.get("rateLimiter");
  if (!limiter) return;
  // Per key: a user key is its user's; the admin keys share one budget. Open mode: per acting user.
  const caller = principal.kind === "admin" ? "admin" : principal.kind === "user" ? `user:${principal.userId}` : `user:${actingUser}`;
  const retryAfter = limiter.take(caller);
  if (retryAfter !== undefined) {
    c.header("Retry-After", String(retryAfter));
    throw new ApiError(429, `rate limit: more than ${limiter.perMinute} requests a minute (MEMCUBE_RATE_LIMIT_PER_MINUTE); retry in ${retryAfter} s`);
  }
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`: addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost") return true;
  const mapped = bare.startsWith("::ffff:") ? bare.slice("::ffff:".length) : bare;
  if (isIP(mapped) === 4) return mapped.startsWith("127.");
  return isIP(bare) === 6 && /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(bare);
}

/**
 * Open mode trusts the user id in each body, so it listens only on loopback unless the operator
 * says otherwise (`--insecure-open`). Returns a warning to log when serving open on another address.
 */
export function checkExposure(config: Pick<Config, "apiKeys" | "host" | "insecureOpen">): string | undefined {
  if (config.apiKeys || isLoopbackHost(config.host)) return undefined;
  if (!config.insecureOpen) {
    throw new ConfigError(
      "HOST",
      `${config.host} is not a loopback address and no API keys are set: anyone who reaches the port could act as any user. Set MEMCUBE_API_KEYS (or MEMCUBE_API_KEYS_FILE), or start with --insecure-open to serve without authentication anyway`,
    );
  }
  return `open mode on ${config.host} (--insecure-open): there is no authentication, and anyone who reaches the port can read, write and delete any user's memories`;
}

/**
 * Start-up: the key ring (undefined in open mode), with every key user's default cube created and
 * reserved for them. Logs how the server is protected, never a key.
 */
export async function setUpAuth(config: Config, context: MemoryContext, logger: Logger): Promise<KeyRing | undefined> {
  const warning = checkExposure(config);
  if (!config.apiKeys) {
    if (warning) logger.warn(warning);
    else logger.info("open mode: no API keys, each request acts as the user_id it names (listening on loopback only)");
    return undefined;
  }
  const keys = new KeyRing(config.apiKeys);
  const users = keys.users();
  context.reservedCubes = new Set(users);
  for (const { cubeId, ownerId } of await reserveDefaultCubes(context, users)) {
    logger.warn({ cubeId, ownerId }, `cube '${cubeId}' is the default cube of an API key's user but was created by '${ownerId}' before keys were set; it stays theirs`);
  }
  logger.info({ keys: config.apiKeys.length, users: users.length, admin: config.apiKeys.some(({ actor }) => actor === "*") }, "API keys required");
  return keys;
}
