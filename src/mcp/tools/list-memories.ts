import { z } from "zod";
import { memoryLines, structuredMemory } from "../format.js";
import { defineTool } from "../tool.js";
import { cubeId } from "./fields.js";

export const listMemoriesTool = defineTool({
  name: "list_memories",
  title: "List memories",
  description:
    "List the memories of a cube, newest first, one page at a time: to review or clean up what is remembered. To find something, search_memory is better.",
  input: {
    cube_id: cubeId("The cube to list."),
    page: z.number().int().min(1, "pages start at 1").max(1_000_000).optional().describe("Page number, from 1 (default 1)."),
    page_size: z.number().int().min(1, "at least 1").max(100).optional().describe("Memories per page, 1-100 (default 20)."),
  },
  effect: "read",
  async run(args, port, signal) {
    const page = args.page ?? 1;
    const pageSize = args.page_size ?? 20;
    const listed = await port.list({ cubeId: args.cube_id, page, pageSize }, signal);
    const pages = Math.max(1, Math.ceil(listed.total / pageSize));
    const heading = `Cube ${listed.cubeId}: ${listed.total} memories; page ${page} of ${pages}.`;
    const more = page < pages ? `\nMore on page ${page + 1}.` : "";
    return {
      text: listed.memories.length === 0 ? `${heading} Nothing on this page.` : `${heading}\n${memoryLines(listed.memories)}${more}`,
      structured: { cube_id: listed.cubeId, total: listed.total, page, page_size: pageSize, memories: listed.memories.map(structuredMemory) },
    };
  },
});
