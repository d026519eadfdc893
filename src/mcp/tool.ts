/**
 * One MCP tool: its name, its description (written for a model choosing among tools), its input
 * schema (Zod, the single source of the JSON schema clients see and of the validation), whether it
 * changes anything, and what it does over a MemoryPort. Each tool is one file in src/mcp/tools/.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { describeFailure, type FailureLog } from "./errors.js";
import type { MemoryPort } from "./port.js";

/** What a tool answers: text for the model, and the same as structured content for programs. */
export interface ToolAnswer {
  text: string;
  structured: Record<string, unknown>;
}

export interface ToolDefinition<Shape extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: Shape;
  /**
   * `read`: changes nothing (offered to read-only sessions); `write`: adds; `destroy`: deletes
   * what cannot be had back. The annotations say the same to the client.
   */
  effect: "read" | "write" | "destroy";
  /** Whether the same call again changes nothing more; default: reading and deleting are, adding is not. */
  idempotent?: boolean;
  /** Offered only where this holds (chat_with_memory: a chat model is configured). */
  offered?: (port: MemoryPort) => boolean;
  /** For a tool whose effect depends on the session (a chat writes its turn back unless read-only). */
  effectFor?: (port: MemoryPort) => ToolDefinition<Shape>["effect"];
  run: (args: z.infer<z.ZodObject<Shape>>, port: MemoryPort, signal: AbortSignal) => Promise<ToolAnswer>;
}

/** A tool ready to be put on a server: its generic input type is closed over here. */
export interface Tool {
  name: string;
  effect: ToolDefinition<z.ZodRawShape>["effect"];
  register(server: McpServer, port: MemoryPort, log: FailureLog): void;
}

const annotationsOf = (effect: ToolDefinition<z.ZodRawShape>["effect"], idempotent: boolean | undefined): ToolAnnotations => ({
  readOnlyHint: effect === "read",
  destructiveHint: effect === "destroy",
  // Adding twice stores twice; reading and deleting again change nothing more.
  idempotentHint: idempotent ?? effect !== "write",
  // Only this memcube is touched (a chat's model call aside, which the user configured).
  openWorldHint: false,
});

const failed = (message: string): CallToolResult => ({ content: [{ type: "text", text: message }], isError: true });

export function defineTool<Shape extends z.ZodRawShape>(definition: ToolDefinition<Shape>): Tool {
  return {
    name: definition.name,
    effect: definition.effect,
    register(server, port, log) {
      if (definition.offered && !definition.offered(port)) return;
      const effect = definition.effectFor?.(port) ?? definition.effect;
      if (port.readOnly && effect !== "read") return;
      // The SDK's generic overloads cannot follow a shape handed through a generic: the input is
      // typed by `definition.run`, and the SDK validates it against the same shape before the call.
      const run = definition.run as (args: unknown, port: MemoryPort, signal: AbortSignal) => Promise<ToolAnswer>;
      const inputSchema: z.ZodRawShape = definition.input;
      server.registerTool(
        definition.name,
        { title: definition.title, description: definition.description, inputSchema, annotations: annotationsOf(effect, definition.idempotent) },
        async (args: unknown, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
          try {
            const answer = await run(args, port, extra.signal);
            return { content: [{ type: "text", text: answer.text }], structuredContent: answer.structured };
          } catch (error) {
            return failed(describeFailure(error, log));
          }
        },
      );
    },
  };
}
