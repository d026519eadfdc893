import { defineTool } from "../tool.js";

export const listCubesTool = defineTool({
  name: "list_cubes",
  title: "List cubes",
  description:
    "List the memory cubes you may use: your own and those shared with you, with your access (owner, write or read) and how many memories each holds. " +
    "A cube's id is what cube_id and cube_ids take in the other tools.",
  input: {},
  effect: "read",
  async run(_args, port, signal) {
    const cubes = await port.listCubes(signal);
    const lines = cubes.map((cube) => `- ${cube.cubeId} "${cube.name}" (${cube.access}, owner ${cube.ownerId}, ${cube.memoryCount} memories)`);
    return {
      text: cubes.length === 0 ? `No cubes yet: the first add_memory creates your own cube, ${port.userId}.` : `Your cubes:\n${lines.join("\n")}`,
      structured: {
        cubes: cubes.map((cube) => ({
          cube_id: cube.cubeId,
          cube_name: cube.name,
          owner_id: cube.ownerId,
          access: cube.access,
          memory_count: cube.memoryCount,
          created_at: cube.createdAt,
        })),
      },
    };
  },
});
