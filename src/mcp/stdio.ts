/**
 * `memcube mcp`: the MCP server on stdin/stdout, as Claude Desktop, Cursor and IDEs launch it.
 * stdout carries the protocol only: anything else written there would corrupt it, so console
 * output is sent to stderr for the life of the process (logs go there already).
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { MemoryPort } from "./port.js";
import { createMcpServer, type McpServerOptions } from "./server.js";

/** Serves until stdin closes (the client quits); resolves then, after `closed` has run. */
export async function serveStdio(port: MemoryPort, options: McpServerOptions & { closed?: () => Promise<void> }): Promise<void> {
  console.log = console.error;
  console.info = console.error;
  const server = createMcpServer(port, options);
  const transport = new StdioServerTransport();
  const ended = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  await ended;
  await server.close();
  await options.closed?.();
}
