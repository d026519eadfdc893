/**
 * `memcube mcp`: the MCP server on stdio for one user. Without `--url` it opens the configured store
 * itself (no server needed; the composition root hands it the opener); with `--url` every tool is
 * a call to that running server, with `--api-key`, under the server's rules.
 */
import { parseArgs } from "node:util";
import { MemcubeClient, MemcubeError, type Identity } from "../client/index.js";
import { clientPort } from "../mcp/client-port.js";
import type { MemoryPort } from "../mcp/port.js";
import { serveStdio } from "../mcp/stdio.js";
import { UsageError, type CliIO } from "./remote.js";

export interface LocalMemory {
  port: MemoryPort;
  close: () => Promise<void>;
}

export interface McpCommandDeps {
  /** Opens the configured store and models and a port over them, acting for the user. */
  openLocal: (userId: string, readOnly: boolean) => Promise<LocalMemory>;
  version: string;
  /** Where failures the caller is not told in full are logged (stderr). */
  log: (error: unknown, what: string) => void;
}

const USER_ID = /^[\p{L}\p{M}\p{N}_\-.:@]{1,128}$/u;

export async function mcpCommand(args: string[], io: CliIO, deps: McpCommandDeps): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { url: { type: "string" }, user: { type: "string" }, "api-key": { type: "string" }, "read-only": { type: "boolean" } },
  });
  const named = (values.user ?? io.env.MEMCUBE_USER)?.normalize("NFC");
  if (named !== undefined && !USER_ID.test(named)) throw new UsageError(`mcp: --user: expected 1-128 letters, digits or _ - . : @, got '${named}'`);
  let readOnly = values["read-only"] === true;
  if (values.url === undefined) {
    if (!named) throw new UsageError("mcp: --user is required (or set MEMCUBE_USER): the user whose memory the tools use");
    const local = await deps.openLocal(named, readOnly);
    io.stderr.write(`memcube mcp: serving ${named}'s memory on stdio from the local store${readOnly ? " (read-only)" : ""}\n`);
    return serveStdio(local.port, { version: deps.version, log: deps.log, closed: local.close });
  }
  const apiKey = values["api-key"] ?? io.env.MEMCUBE_API_KEY;
  let userId = named;
  if (!userId && apiKey) {
    // A user's key names its user: the server says whom (and whether the key may write).
    const identity = await keyIdentity(values.url, apiKey);
    if (identity.user_id === null)
      throw new UsageError(`mcp: --user is required: ${identity.admin ? "an admin key" : "this server's key"} acts for no user of its own`);
    userId = identity.user_id;
    readOnly ||= identity.read_only;
  }
  if (!userId) throw new UsageError("mcp: --user is required (or set MEMCUBE_USER, or give a user's --api-key): the user whose memory the tools use");
  const port = await clientPort({ baseUrl: values.url, userId, apiKey, readOnly });
  io.stderr.write(`memcube mcp: serving ${userId}'s memory on stdio through ${values.url}${readOnly ? " (read-only)" : ""}\n`);
  return serveStdio(port, { version: deps.version, log: deps.log });
}

/** GET /product/whoami with the key; a refused key or an unreachable server is the user's error to fix. */
async function keyIdentity(baseUrl: string, apiKey: string): Promise<Identity> {
  try {
    return await new MemcubeClient({ baseUrl, apiKey }).whoami();
  } catch (error) {
    if (error instanceof MemcubeError) throw new UsageError(`mcp: ${baseUrl} refused the API key (${error.status}): ${error.message}`);
    throw new UsageError(`mcp: cannot reach memcube at ${baseUrl}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
