/**
 * memcube's MCP server for one session's user: the tools of the registry this port may use (read
 * tools only for a read-only session; chat only with a chat model), two prompts, and each cube's
 * latest memories as a resource. The same
 * server is put on stdio (src/mcp/stdio.ts) and on Streamable HTTP (src/api/routes/mcp.ts).
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { FailureLog } from "./errors.js";
import type { MemoryPort } from "./port.js";
import { registerCubeResources } from "./resources.js";
import { TOOLS } from "./tools/index.js";

export interface McpServerOptions {
  version: string;
  log: FailureLog;
}

const INSTRUCTIONS =
  "memcube is the user's long-term memory. Search it (search_memory) before answering anything that may depend on what the user said before, " +
  "and remember (add_memory) facts, preferences and decisions worth keeping. Cite what you use by its id when that helps.";

function registerPrompts(server: McpServer, port: MemoryPort): void {
  if (!port.readOnly) {
    server.registerPrompt(
      "remember_this",
      { title: "Remember this", description: "Ask the assistant to store something in memcube", argsSchema: { what: z.string().describe("What to remember") } },
      ({ what }) => ({
        messages: [{ role: "user", content: { type: "text", text: `Remember this with the add_memory tool, in my own words: ${what}` } }],
      }),
    );
  }
  server.registerPrompt(
    "what_do_you_know_about_me",
    { title: "What do you know about me?", description: "Ask the assistant to sum up what memcube remembers about you" },
    () => ({
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text: "What do you know about me? Use search_memory (and list_memories if needed) and sum up what is remembered, citing memory ids.",
          },
        },
      ],
    }),
  );
}

export function createMcpServer(port: MemoryPort, options: McpServerOptions): McpServer {
  const server = new McpServer({ name: "memcube", title: "memcube memory", version: options.version }, { instructions: INSTRUCTIONS });
  for (const tool of TOOLS) tool.register(server, port, options.log);
  registerPrompts(server, port);
  registerCubeResources(server, port, options.log);
  return server;
}
