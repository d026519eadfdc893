import { z } from "zod";
import { ToolFailure } from "../port.js";
import { defineTool } from "../tool.js";
import { Message, Text, cubeId, sessionId } from "./fields.js";

export const addMemoryTool = defineTool({
  name: "add_memory",
  title: "Remember",
  description:
    "Remember something for later: a fact the user told you, a preference, a decision, or a conversation. Pass `text` for one thing to remember " +
    "(written as the user would say it, e.g. 'My sister Anna lives in Bolzano'), or `messages` for a conversation. Stored and searchable at once.",
  input: {
    text: Text("the text").optional().describe("One thing to remember, as a user message."),
    messages: z.array(Message).min(1).optional().describe("A conversation to remember, oldest first (instead of text)."),
    cube_id: cubeId("The cube to write to."),
    session_id: sessionId,
    mode: z
      .enum(["fast", "fine"])
      .optional()
      .describe("fast: each message is one memory, as written; fine: a language model extracts facts and preferences (where the server has one configured)."),
  },
  effect: "write",
  async run(args, port, signal) {
    if ((args.text === undefined) === (args.messages === undefined)) throw new ToolFailure("pass either text or messages (one of them)");
    const messages = args.messages ?? [{ role: "user" as const, content: args.text ?? "" }];
    const added = await port.add({ messages, cubeId: args.cube_id, sessionId: args.session_id, mode: args.mode }, signal);
    const lines = added.map((memory) => `- ${memory.text} (id ${memory.id}, cube ${memory.cubeId})`);
    const queued = added.some((memory) => memory.taskId !== undefined) ? "\nFacts are being extracted in the background." : "";
    return {
      text: added.length === 0 ? "Nothing was stored (it was already remembered)." : `Remembered ${added.length}:\n${lines.join("\n")}${queued}`,
      structured: {
        added: added.map((memory) => ({
          id: memory.id,
          cube_id: memory.cubeId,
          memory: memory.text,
          memory_type: memory.memoryType,
          ...(memory.taskId !== undefined && { task_id: memory.taskId }),
        })),
      },
    };
  },
});
