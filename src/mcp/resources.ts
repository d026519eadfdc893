/**
 * Each cube's latest memories as a resource (`memcube://cubes/<cube_id>/memories`), for clients
 * that let a user attach context by hand; listed from the cubes the session's user may read.
 */
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { describeFailure, type FailureLog } from "./errors.js";
import { memoryLines } from "./format.js";
import type { MemoryPort } from "./port.js";

/** As many as a person attaching a cube would read: the newest ones. */
const LATEST = 50;

const uriOf = (cubeId: string) => `memcube://cubes/${encodeURIComponent(cubeId)}/memories`;

export function registerCubeResources(server: McpServer, port: MemoryPort, log: FailureLog): void {
  const template = new ResourceTemplate("memcube://cubes/{cube_id}/memories", {
    list: async (extra) => ({
      resources: (await port.listCubes(extra.signal)).map((cube) => ({
        uri: uriOf(cube.cubeId),
        name: `${cube.name} (${cube.cubeId})`,
        description: `The latest memories of cube ${cube.cubeId} (${cube.memoryCount} in all, ${cube.access} access)`,
        mimeType: "text/plain",
      })),
    }),
  });
  server.registerResource(
    "cube_memories",
    template,
    { title: "A cube's latest memories", description: `The newest ${LATEST} memories of a cube, one a line with id, date and source`, mimeType: "text/plain" },
    async (uri, variables, extra) => {
      const raw = variables.cube_id;
      const cubeId = decodeURIComponent(Array.isArray(raw) ? (raw[0] ?? "") : (raw ?? ""));
      try {
        const page = await port.list({ cubeId, page: 1, pageSize: LATEST }, extra.signal);
        const heading = `Cube ${page.cubeId}: the newest ${page.memories.length} of ${page.total} memories.`;
        return {
          contents: [{ uri: uri.href, mimeType: "text/plain", text: page.memories.length === 0 ? heading : `${heading}\n${memoryLines(page.memories)}` }],
        };
      } catch (error) {
        throw new McpError(ErrorCode.InvalidParams, describeFailure(error, log));
      }
    },
  );
}
