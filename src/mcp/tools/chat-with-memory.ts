import { z } from "zod";
import { memoryLines, structuredMemory } from "../format.js";
import { defineTool } from "../tool.js";
import { Text, cubeIds, sessionId } from "./fields.js";

export const chatWithMemoryTool = defineTool({
  name: "chat_with_memory",
  title: "Ask memcube's model",
  description:
    "Have memcube's own chat model answer a question from the user's memories, and remember the exchange. Use search_memory instead when you " +
    "can answer yourself from the memories; use this when asked to consult memcube's assistant.",
  input: {
    query: Text("the question").describe("The question."),
    cube_ids: cubeIds,
    session_id: sessionId,
    model: z.string().min(1).max(256).optional().describe("One of the server's chat models (its default when left out)."),
  },
  effect: "write",
  // The turn is written back, except in a read-only session, where it is not.
  effectFor: (port) => (port.readOnly ? "read" : "write"),
  offered: (port) => port.chatAvailable,
  async run(args, port, signal) {
    const { answer, references } = await port.chat({ query: args.query, cubeIds: args.cube_ids, sessionId: args.session_id, model: args.model }, signal);
    const used = references.length === 0 ? "" : `\n\nMemories used:\n${memoryLines(references)}`;
    return { text: `${answer}${used}`, structured: { answer, references: references.map(structuredMemory) } };
  },
});
