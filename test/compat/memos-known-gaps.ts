/**
 * The probes memcube does not yet answer as MemOS does, each with what differs (written by
 * `scripts/probe-memos-compat.ts --gaps`). memos-shapes.test.ts runs these as `todo`: when a
 * change makes one pass, delete its entry (or re-measure) so the test guards it from then on.
 * Keys are `<route id>: <probe name>` (test/compat/memos-probes.ts).
 */
export const MEMOS_KNOWN_GAPS: Readonly<Record<string, string>> = {
  "add: example 02a (assistant content null + tool_calls)":
    "HTTP 422 where MemOS answers 200 (messages.0.content: field required)",
  "add: example 02b (tool message)":
    "HTTP 422 where MemOS answers 200 (messages.0.content: field required)",
  "add: example 03 (text + image_url parts)":
    "HTTP 422 where MemOS answers 200 (messages.0.content.1.type: expected \"text\")",
  "add: one content part object (not a list)":
    "HTTP 422 where MemOS answers 200 (messages.0.content: expected string, received object)",
  "add: example 04a (bare text items)":
    "HTTP 422 where MemOS answers 200 (messages.0.role: Invalid option: expected one of \"user\"|\"assistant\"|\"system\")",
  "add: example 04b (bare file item by file_id)":
    "HTTP 422 where MemOS answers 200 (messages.0.role: Invalid option: expected one of \"user\"|\"assistant\"|\"system\")",
  "add: example 05 (memory_content + doc_path + source, no messages)":
    "HTTP 422 where MemOS answers 200 (messages: field required)",
  "add: example 06a (is_feedback)":
    "message: Invalid input: expected \"Memory feedback successfully\"",
  "add: free-text chat_time":
    "HTTP 422 where MemOS answers 200 (messages.0.chat_time: expected ISO 8601 (2026-01-31T10:00:00Z) or 'YYYY-MM-DD HH:MM:SS')",
  "add: session_id empty string":
    "HTTP 422 where MemOS answers 200 (session_id: Too small: expected string to have >=1 characters)",
  "add: non-ASCII user_id":
    "HTTP 422 where MemOS answers 200 (user_id: must be 1-128 letters, digits or _ - . : @)",
  "search: filter {and:[{id}]} (MemOS's documented example)":
    "HTTP 422 where MemOS answers 200 (filter.and.0.id: unknown filter field; use memory_type, session_id, created_at, chat_time, tags or info.<key>)",
  "search: search_memory_type SkillMemory":
    "HTTP 422 where MemOS answers 200 (search_memory_type: expected \"All\")",
  "search: top_k 500 (no MemOS upper bound)":
    "HTTP 422 where MemOS answers 200 (top_k: Too big: expected number to be <=100)",
  "exist_mem_cube_id: mem_cube_id only":
    "HTTP 422 where MemOS answers 200 (user_id: field required)",
  "scheduler_status: user_id + client task_id":
    "HTTP 404 where MemOS answers 200 (task 'task-r1' not found for user 'compat_user_001')",
  "chat_complete: temperature 3 (no bound in MemOS)":
    "HTTP 422 where MemOS answers 200 (temperature: Too big: expected number to be <=2)",
  "chat_complete: history with a tool call and a tool message":
    "HTTP 422 where MemOS answers 200 (history.0.content: field required)",
  "chat_stream: mem_cube_id":
    "frame type \"status\": not sent by MemOS on this route, or not in its shape; frame type \"reference\": not sent by MemOS on this route, or not in its shape; frame type \"time\": not sent by MemOS on this route, or not in its shape (+1 more)",
  "get_memory: mem_cube_id only":
    "HTTP 422 where MemOS answers 200 (user_id: field required)",
  "get_memory: a cube nobody wrote":
    "HTTP 422 where MemOS answers 200 (user_id: field required)",
  "get_memory_by_id: known id, no user_id":
    "HTTP 422 where MemOS answers 200 (user_id: field required)",
  "get_memory_by_id: unknown id":
    "HTTP 422 where MemOS answers 200 (user_id: field required)",
  "get_memory_dashboard: mem_cube_id":
    "HTTP 404 where MemOS answers 200 (no route POST /product/get_memory_dashboard)",
  "feedback: async (default)":
    "HTTP 404 where MemOS answers 200 (no route POST /product/feedback)",
  "delete_memory: two modes: memory_ids + user_id (MemOS: 200 failure)":
    "deliberate difference to build: user_id beside another selector names the acting user; memcube deletes the memory_ids (issue 17) — today: HTTP 404 where MemOS answers 200 (cube 'compat_user_001' does not exist)",
  "delete_memory: empty filter (MemOS: 200 failure)":
    "HTTP 422 where MemOS answers 200 (user_id: field required)",
  "delete_memory: writable_cube_ids + memory_ids (no user_id)":
    "HTTP 422 where MemOS answers 200 (user_id: field required)",
  "delete_memory: file_ids":
    "HTTP 422 where MemOS answers 200 (user_id: field required)",
  "delete_memory: filter without user_id":
    "HTTP 422 where MemOS answers 200 (user_id: field required)",
  "delete_memory: quick delete by conversation_id":
    "HTTP 422 where MemOS answers 200 (user_id: field required)",
  "delete_memory: quick delete by user_id":
    "HTTP 422 where MemOS answers 200 (user_id: must be 1-128 letters, digits or _ - . : @)",
  "delete_memory_by_record_id: soft delete":
    "HTTP 404 where MemOS answers 200 (no route POST /product/delete_memory_by_record_id)",
  "recover_memory_by_record_id: recover":
    "HTTP 404 where MemOS answers 200 (no route POST /product/recover_memory_by_record_id)",
};
