import { memoryLine, structuredMemory } from "../format.js";
import { ToolFailure } from "../port.js";
import { defineTool } from "../tool.js";
import { MemoryId } from "./fields.js";

export const getMemoryTool = defineTool({
  name: "get_memory",
  title: "Read one memory",
  description: "Read one memory by its id (from search_memory or list_memories): its full text, date, source, type, session and tags.",
  input: { memory_id: MemoryId.describe("The memory's id.") },
  effect: "read",
  async run(args, port, signal) {
    const memory = await port.get(args.memory_id, signal);
    if (!memory) throw new ToolFailure(`memory '${args.memory_id}' not found`);
    const tags = memory.tags.length > 0 ? `\ntags: ${memory.tags.join(", ")}` : "";
    return {
      text: `${memoryLine(memory)}\ntype: ${memory.memoryType}, session: ${memory.sessionId}, stored ${memory.createdAt}${tags}`,
      structured: { memory: structuredMemory(memory) },
    };
  },
});
