import type { MemoryRecord } from "../store/types.js";
import type { CubeListing } from "../memory/browse.js";
import { graphNode } from "./present.js";
import type { TreeNode } from "./schemas/memory.js";

/**
 * get_all's answer for one cube in MemOS's shape: one graph object holding the listed nodes and
 * their tree, and the count of each memory_type. memcube keeps no edges between memories, so the
 * tree is flat: every memory hangs under the root, working memories under a synthetic
 * "WorkingMemory" node as MemOS groups them.
 */
export function memoryGraph({ cubeId, memories, total, truncated, typeCounts }: CubeListing) {
  return {
    cube_id: cubeId,
    memories: [{ nodes: memories.map(graphNode), tree_structure: treeOf(memories) }],
    memory_statistics: typeCounts ?? {},
    total_nodes: total,
    ...(truncated && { truncated: true }),
  };
}

const leaf = (memory: MemoryRecord): TreeNode => ({
  id: memory.id,
  node_name: memory.key || memory.text.slice(0, 60),
  value: memory.text,
  memory_type: memory.memoryType,
  frequency: 0,
});

function treeOf(memories: readonly MemoryRecord[]): TreeNode & { id: "root" } {
  const working = memories.filter((memory) => memory.memoryType === "WorkingMemory");
  const others = memories.filter((memory) => memory.memoryType !== "WorkingMemory");
  const children = others.map(leaf);
  if (working.length > 0) {
    children.push({ id: "WorkingMemory", node_name: "WorkingMemory", value: "WorkingMemory", memory_type: "WorkingMemory", children: working.map(leaf) });
  }
  return { id: "root", node_name: "root", value: "root", memory_type: "Root", children };
}
