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
import { ConfigError, readApiKeysFile } from "../config/index.js";
import type { MemoryContext } from "../memory/context.js";
import { reserveDefaultCubes } from "../memory/cubes.js";
import { ApiError } from "./api-error.js";
import type { AppEnv } from "./app-env.js";
import { errorResponse } from "./errors.js";

/**
 * Who a request acts for: anyone (open mode, or an admin key), or one user. `readOnly` keys may
 * only call the read routes (`READ_ONLY_ROUTES`), and their chats write nothing back.
 */
export type Principal = { kind: "open" } | { kind: "admin"; readOnly?: true } | { kind: "user"; userId: string; readOnly?: true };

const digestOf = (key: string) => createHash("sha256").update(key, "utf8").digest();

interface KeyEntry {
  digest: Buffer;
  principal: Principal;
}

function entriesOf(grants: readonly ApiKeyGrant[]): KeyEntry[] {
  return grants.map(({ digest, actor, access }) => {
    const readOnly = access === "read" ? ({ readOnly: true } as const) : {};
    return {
      digest: Buffer.from(digest, "hex"),
      principal: actor === "*" ? { kind: "admin", ...readOnly } : { kind: "user", userId: actor, ...readOnly },
    };
  });
}

/** The configured keys, kept only as SHA-256 digests; replaced whole when the keys file is reloaded. */
export class KeyRing {
  private entries: readonly KeyEntry[];

  constructor(grants: readonly ApiKeyGrant[]) {
    this.entries = entriesOf(grants);
  }

  /**
   * Swaps in another set of keys in one assignment: a request is checked against the old set or
   * the new one, never a mix, and requests already admitted go on as they were.
   */
  replace(grants: readonly ApiKeyGrant[]): void {
    this.entries = entriesOf(grants);
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

/**
 * What a read-only key may call: the routes that change nothing (chat included: its write-back is
 * turned off for such keys). Every other route, including any added later, is refused with 403, so a
 * new write route cannot be missed.
 */
const READ_ONLY_ROUTES: readonly RegExp[] = [
  /^POST \/product\/(search|get_all|get_memory|exist_mem_cube_id|chat\/complete|chat\/stream|scheduler\/wait)$/,
  /^GET \/product\/(get_memory\/[^/]+|models|scheduler\/status)$/,
  /^POST \/v1\/chat\/completions$/,
  /^GET \/v1\/models$/,
  /^GET \/(metrics|admin\/jobs\/parked)$/,
];

/** A read-only key may call this route. */
export function isReadRoute(method: string, path: string): boolean {
  const line = `${method === "HEAD" ? "GET" : method} ${path.length > 1 ? path.replace(/\/+$/, "") : path}`;
  return READ_ONLY_ROUTES.some((route) => route.test(line));
}

/** The request's key may write (false for read-only keys: chats then write nothing back). */
export function mayWrite(c: Context<AppEnv>): boolean {
  const principal = c.get("principal");
  return principal.kind === "open" || principal.readOnly !== true;
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
    if (principal.kind !== "open" && principal.readOnly && !isReadRoute(c.req.method, c.req.path)) {
      return errorResponse(c, 403, `this API key is read-only: ${c.req.method} ${c.req.path} may change data (read-only keys may search, read and chat without write-back)`);
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
/** Reserves the key users' default cubes; warns of those someone else created before keys were set. */
async function reserveKeyUsers(keys: KeyRing, context: MemoryContext, logger: Logger): Promise<string[]> {
  const users = keys.users();
  // Users of keys revoked since stay reserved: their cubes remain theirs until erased.
  context.reservedCubes = new Set([...(context.reservedCubes ?? []), ...users]);
  for (const { cubeId, ownerId } of await reserveDefaultCubes(context, users)) {
    logger.warn({ cubeId, ownerId }, `cube '${cubeId}' is the default cube of an API key's user but was created by '${ownerId}' before keys were set; it stays theirs`);
  }
  return users;
}

const keySummary = (grants: readonly ApiKeyGrant[], users: readonly string[]) => ({
  keys: grants.length,
  users: users.length,
  admin: grants.some(({ actor }) => actor === "*"),
  readOnly: grants.filter(({ access }) => access === "read").length,
});

export async function setUpAuth(config: Config, context: MemoryContext, logger: Logger): Promise<KeyRing | undefined> {
  const warning = checkExposure(config);
  if (!config.apiKeys) {
    if (warning) logger.warn(warning);
    else logger.info("open mode: no API keys, each request acts as the user_id it names (listening on loopback only)");
    return undefined;
  }
  const keys = new KeyRing(config.apiKeys);
  const users = await reserveKeyUsers(keys, context, logger);
  logger.info(keySummary(config.apiKeys, users), "API keys required");
  return keys;
}

/**
 * SIGHUP: reads the keys file again and swaps the ring in one step. A file that cannot be read or
 * parsed changes nothing: the old keys stay and the error is logged. Returns whether it swapped;
 * never rejects (a signal handler has no one to report to but the log).
 */
export async function reloadKeys(config: Pick<Config, "apiKeysFile">, keys: KeyRing | undefined, context: MemoryContext, logger: Logger): Promise<boolean> {
  if (!keys) {
    logger.warn("SIGHUP: open mode (no API keys) stays open mode; set MEMCUBE_API_KEYS_FILE and restart to require keys");
    return false;
  }
  if (!config.apiKeysFile) {
    logger.warn("SIGHUP: the keys come from MEMCUBE_API_KEYS, which cannot change while running; nothing reloaded");
    return false;
  }
  let grants: ApiKeyGrant[];
  try {
    grants = readApiKeysFile(config.apiKeysFile);
  } catch (error) {
    logger.error({ reason: error instanceof Error ? error.message : String(error) }, "SIGHUP: the keys file is not valid; the old keys stay in use");
    return false;
  }
  keys.replace(grants);
  try {
    const users = await reserveKeyUsers(keys, context, logger);
    logger.info(keySummary(grants, users), "SIGHUP: API keys reloaded");
  } catch (error) {
    // The keys are in use; only the new users' default cubes could not be reserved (the store failed).
    logger.error({ err: error }, "SIGHUP: API keys reloaded, but the new key users' default cubes could not be reserved");
  }
  return true;
}
