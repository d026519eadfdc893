/**
 * The MCP specification's guard against DNS rebinding on `/mcp`: a web page whose domain was made to
 * point at this machine reaches the server with its own name in `Origin` and `Host`. A browser's
 * Origin is accepted only when it is a loopback one or one of MEMCUBE_CORS_ORIGINS, and a server
 * listening on loopback answers only requests addressed to a loopback name.
 */
import type { Config } from "../config/index.js";
import { isLoopbackHost } from "./auth/exposure.js";

/** The hostname of a Host header (`localhost:8001`, `[::1]:8001`), lower-cased. */
function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]*)\]/.exec(host);
  if (bracketed) return `[${bracketed[1] ?? ""}]`;
  return host.replace(/:\d*$/, "").toLowerCase();
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).hostname;
  } catch {
    return undefined;
  }
}

/** The problem with the request's Origin or Host, or undefined when it may reach /mcp. */
export function rebindingProblem(config: Pick<Config, "host" | "corsOrigins">, origin: string | undefined, host: string | undefined): string | undefined {
  if (origin !== undefined && !config.corsOrigins.includes(origin)) {
    const hostname = originHost(origin);
    if (hostname === undefined || !isLoopbackHost(hostname)) {
      return `origin: ${origin} may not call /mcp (only loopback origins and MEMCUBE_CORS_ORIGINS may)`;
    }
  }
  if (isLoopbackHost(config.host) && (host === undefined || !isLoopbackHost(hostnameOf(host)))) {
    return `host: ${host ?? "(none)"} is not a loopback name, and this server listens on loopback only`;
  }
  return undefined;
}
