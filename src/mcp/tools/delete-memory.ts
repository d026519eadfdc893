import { z } from "zod";
import { defineTool } from "../tool.js";
import { MemoryId, cubeId } from "./fields.js";

export const deleteMemoryTool = defineTool({
  name: "delete_memory",
  title: "Forget memories",
  description:
    "Forget memories for good, by id (from search_memory or list_memories), with the messages they were made from. Only when the user asks to forget " +
    "something or a memory is wrong; it cannot be undone.",
  input: {
    memory_ids: z.array(MemoryId).min(1, "name at least one memory id").max(1000).describe("The ids of the memories to forget."),
    cube_id: cubeId("The cube holding them; left out, each memory is forgotten from the cube that holds it."),
  },
  effect: "destroy",
  async run(args, port, signal) {
    const deleted = await port.delete({ memoryIds: args.memory_ids, cubeId: args.cube_id }, signal);
    const missed = args.memory_ids.length - deleted;
    const note = missed > 0 ? ` (${missed} of the ids named no memory there)` : "";
    return { text: `Forgot ${deleted} ${deleted === 1 ? "memory" : "memories"}${note}.`, structured: { deleted } };
  },
});
