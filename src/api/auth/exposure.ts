/** The start-up check that open mode (no keys) is not served where others can reach it. */
import { isIP } from "node:net";
import type { Config } from "../../config/index.js";
import { ConfigError } from "../../config/index.js";

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
