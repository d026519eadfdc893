/**
 * The key ring's life in the server: built at start-up (with every key user's default cube created
 * and reserved for them) and swapped on SIGHUP. Logs how the server is protected, never a key.
 */
import type { Logger } from "pino";
import type { ApiKeyGrant, Config } from "../../config/index.js";
import { readApiKeysFile } from "../../config/index.js";
import type { MemoryContext } from "../../memory/context.js";
import { reserveDefaultCubes } from "../../memory/cubes.js";
import { checkExposure } from "./exposure.js";
import { KeyRing } from "./key-ring.js";

/** Reserves the key users' default cubes; warns of those someone else created before keys were set. */
async function reserveKeyUsers(keys: KeyRing, context: MemoryContext, logger: Logger): Promise<string[]> {
  const users = keys.users();
  // Users of keys revoked since stay reserved: their cubes remain theirs until erased.
  context.reservedCubes = new Set([...(context.reservedCubes ?? []), ...users]);
  for (const { cubeId, ownerId } of await reserveDefaultCubes(context, users)) {
    logger.warn(
      { cubeId, ownerId },
      `cube '${cubeId}' is the default cube of an API key's user but was created by '${ownerId}' before keys were set; it stays theirs`,
    );
  }
  return users;
}

const keySummary = (grants: readonly ApiKeyGrant[], users: readonly string[]) => ({
  keys: grants.length,
  users: users.length,
  admin: grants.some(({ actor }) => actor === "*"),
  readOnly: grants.filter(({ access }) => access === "read").length,
});

/** Start-up: the key ring (undefined in open mode), after the exposure check. */
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
