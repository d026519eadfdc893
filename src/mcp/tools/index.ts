/**
 * The tool registry: every tool memcube's MCP server offers, in the order clients list them.
 *
 * Adding a tool is one file: write `src/mcp/tools/<name>.ts` exporting `defineTool({...})` (see
 * src/mcp/tool.ts: its `effect` decides whether read-only sessions get it and sets its annotations),
 * give MemoryPort (src/mcp/port.ts) the one operation it needs, in both ports (domain-port.ts,
 * client-port.ts), and append the tool here, as `feedback` (over the /product/feedback domain
 * function) and `add_document` (over the document import of /product/add) were.
 */
import type { Tool } from "../tool.js";
import { addDocumentTool } from "./add-document.js";
import { addMemoryTool } from "./add-memory.js";
import { chatWithMemoryTool } from "./chat-with-memory.js";
import { deleteMemoryTool } from "./delete-memory.js";
import { feedbackTool } from "./feedback.js";
import { getMemoryTool } from "./get-memory.js";
import { listCubesTool } from "./list-cubes.js";
import { listMemoriesTool } from "./list-memories.js";
import { searchMemoryTool } from "./search-memory.js";

export const TOOLS: readonly Tool[] = [
  searchMemoryTool,
  addMemoryTool,
  chatWithMemoryTool,
  getMemoryTool,
  listMemoriesTool,
  feedbackTool,
  deleteMemoryTool,
  listCubesTool,
  addDocumentTool,
];
