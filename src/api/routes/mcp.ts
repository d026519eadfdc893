/**
 * The MCP server over Streamable HTTP at `/mcp`, stateless: each POST is answered by a server made
 * for it and closed with it, so any worker (`--workers N`) or any process behind a load balancer
 * answers any request. It sits behind the same keys as every route (401 without one); the key's
 * user is the session's user, and a read-only key is given the read tools only. Open mode and admin
 * keys name the user in `X-Memcube-User` (or `?user_id=`).
 */
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { Context, MiddlewareHandler } from "hono";
import type { ChatDeps } from "../../chat/pipeline.js";
import type { Config } from "../../config/index.js";
import type { MemoryContext } from "../../memory/context.js";
import { domainPort } from "../../mcp/domain-port.js";
import { ToolFailure } from "../../mcp/port.js";
import { createMcpServer } from "../../mcp/server.js";
import type { MemoryFilter } from "../../store/types.js";
import { admitActingUser } from "../acting-user.js";
import { ApiError } from "../api-error.js";
import type { App, AppEnv } from "../app-env.js";
import { mayWrite, readOnlyRoute } from "../auth/read-only.js";
import { errorResponse } from "../errors.js";
import { parseFilter } from "../filter.js";
import { rebindingProblem } from "../mcp-origin.js";
import { Id } from "../schemas/common.js";

/** The API's filter parser for the MCP tools: its 422 message becomes the tool's error. */
export function mcpFilterParser(filter: Record<string, unknown>): MemoryFilter {
  try {
    return parseFilter(filter);
  } catch (error) {
    if (error instanceof ApiError) throw new ToolFailure(error.message);
    throw error;
  }
}

const USER_HEADER = "x-memcube-user";

/** The session's user: the key's, else the one the request names (open mode, admin keys); checked against the key. */
function actingUserOf(c: Context<AppEnv>): string {
  const named = c.req.header(USER_HEADER) ?? c.req.query("user_id");
  const principal = c.get("principal");
  if (named === undefined && principal.kind === "user") return principal.userId;
  if (named === undefined) throw new ApiError(400, `${USER_HEADER}: name the user this MCP session acts for (header X-Memcube-User or ?user_id=)`);
  const parsed = Id.safeParse(named);
  if (!parsed.success) throw new ApiError(422, `${USER_HEADER}: expected 1-128 letters, digits or _ - . : @`);
  return parsed.data;
}

/** Stateless Streamable HTTP has no stream to open nor session to end (the specification's 405). */
const notAllowed = (c: Context<AppEnv>) =>
  c.json({ jsonrpc: "2.0", error: { code: -32000, message: `${c.req.method} /mcp: this server is stateless; send requests by POST` }, id: null }, 405, {
    Allow: "POST",
  });

export interface McpRouteDeps {
  config: Config;
  context: MemoryContext;
  chat: ChatDeps;
  version: string;
}

/** Refuses a request whose Origin or Host a DNS-rebinding page would send (src/api/mcp-origin.ts). */
const rebindingGuard =
  (config: Config): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const problem = rebindingProblem(config, c.req.header("origin"), c.req.header("host"));
    if (problem) return errorResponse(c, 403, problem);
    return next();
  };

export function mcpRoutes(app: App, deps: McpRouteDeps): void {
  app.use("/mcp", rebindingGuard(deps.config));
  // Read-only keys may call it: they are offered only the tools that change nothing.
  app.post("/mcp", readOnlyRoute, async (c) => {
    const userId = actingUserOf(c);
    admitActingUser(c, userId);
    const logger = c.get("logger");
    const port = domainPort({ context: deps.context, limits: deps.config.limits, chat: deps.chat, parseFilter: mcpFilterParser }, userId, {
      readOnly: !mayWrite(c),
    });
    const server = createMcpServer(port, { version: deps.version, log: (error, what) => logger.error({ err: error }, what) });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
  app.get("/mcp", readOnlyRoute, notAllowed);
  app.delete("/mcp", readOnlyRoute, notAllowed);
}
