/**
 * Tool results as a model reads them: one memory a line, its text first, then where it can be
 * found again (id), when it was said, where it came from and how relevant it is.
 */
import type { ToolMemory } from "./port.js";

/** The day a memory speaks of (the conversation time), else the day it was stored. */
const dayOf = (memory: ToolMemory) => (memory.chatTime || memory.createdAt).slice(0, 10);

/** `- Anna lives in Bolzano (id …, 2026-11-25, conversation, cube alice, relevance 0.87)` */
export function memoryLine(memory: ToolMemory): string {
  const facts = [`id ${memory.id}`, dayOf(memory), memory.source, `cube ${memory.cubeId}`];
  if (memory.memoryType === "PreferenceMemory") facts.push("preference");
  if (memory.relevance !== undefined) facts.push(`relevance ${memory.relevance.toFixed(2)}`);
  // One line per memory: a newline in the text would read as the start of the next one.
  return `- ${memory.text.replace(/\s*\n\s*/g, " ")} (${facts.join(", ")})`;
}

export const memoryLines = (memories: readonly ToolMemory[]) => memories.map(memoryLine).join("\n");

/** A memory as structured content (the same fields, snake_case as on memcube's wire). */
export const structuredMemory = (memory: ToolMemory) => ({
  id: memory.id,
  cube_id: memory.cubeId,
  memory: memory.text,
  memory_type: memory.memoryType,
  source: memory.source,
  session_id: memory.sessionId,
  tags: memory.tags,
  created_at: memory.createdAt,
  chat_time: memory.chatTime,
  ...(memory.relevance !== undefined && { relevance: memory.relevance }),
});
