/**
 * `memcube mcp`: the MCP server on stdio for one user. Without `--url` it opens the configured store
 * itself (no server needed; the composition root hands it the opener); with `--url` every tool is
 * a call to that running server, with `--api-key`, under the server's rules.
 */
import { parseArgs } from "node:util";
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
  const userId = (values.user ?? io.env.MEMCUBE_USER)?.normalize("NFC");
  if (!userId) throw new UsageError("mcp: --user is required (or set MEMCUBE_USER): the user whose memory the tools use");
  if (!USER_ID.test(userId)) throw new UsageError(`mcp: --user: expected 1-128 letters, digits or _ - . : @, got '${userId}'`);
  const readOnly = values["read-only"] === true;
  if (values.url === undefined) {
    const local = await deps.openLocal(userId, readOnly);
    io.stderr.write(`memcube mcp: serving ${userId}'s memory on stdio from the local store${readOnly ? " (read-only)" : ""}\n`);
    return serveStdio(local.port, { version: deps.version, log: deps.log, closed: local.close });
  }
  const port = await clientPort({ baseUrl: values.url, userId, apiKey: values["api-key"] ?? io.env.MEMCUBE_API_KEY, readOnly });
  io.stderr.write(`memcube mcp: serving ${userId}'s memory on stdio through ${values.url}${readOnly ? " (read-only)" : ""}\n`);
  return serveStdio(port, { version: deps.version, log: deps.log });
}
