import { z } from "zod";
import { memoryLines, structuredMemory } from "../format.js";
import { defineTool } from "../tool.js";
import { Text, cubeIds } from "./fields.js";

export const searchMemoryTool = defineTool({
  name: "search_memory",
  title: "Search memory",
  description:
    "Find what is remembered about the user or a topic: facts, preferences, earlier conversations. Call it before answering anything that may depend on " +
    "what the user told you before (names, places, plans, likes). Searches by meaning and by keywords; each result has its id, date, source and relevance (0..1).",
  input: {
    query: Text("the query").describe("What to look for, in plain words, e.g. 'where does Anna live'."),
    cube_ids: cubeIds,
    top_k: z.number().int().min(1, "at least 1").max(100).optional().describe("Results per cube, 1-100 (default 10)."),
    filter: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'Only memories matching these conditions, over id, memory_type, session_id, created_at, chat_time, tags, info.<key>: {"and": [...]}, {"or": [...]}, ' +
          '{field: value} or {field: {"gt"|"gte"|"lt"|"lte"|"in"|"contains": value}}, e.g. {"created_at": {"gte": "2026-01-01"}}.',
      ),
  },
  effect: "read",
  async run(args, port, signal) {
    const buckets = await port.search({ query: args.query, cubeIds: args.cube_ids, topK: args.top_k, filter: args.filter }, signal);
    const found = buckets.flatMap(({ memories }) => memories);
    const text =
      found.length === 0
        ? `Nothing remembered matches "${args.query}".`
        : buckets
            .filter(({ memories }) => memories.length > 0)
            .map(({ cubeId, memories }) => `Memories in cube ${cubeId}, most relevant first:\n${memoryLines(memories)}`)
            .join("\n\n");
    return { text, structured: { results: buckets.map(({ cubeId, memories }) => ({ cube_id: cubeId, memories: memories.map(structuredMemory) })) } };
  },
});
