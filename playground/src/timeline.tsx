/** A cube's memories on a timeline: grouped by the day they were said (chat_time), newest first, each with its earlier versions. */
import { useEffect, useState } from "preact/hooks";
import { allNodes } from "./transfer";
import { ErrorNote, TypeBadge, formatDate, messageOf } from "./ui";
import type { GraphNode } from "./wire";

const day = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso.slice(0, 10) : date.toLocaleDateString(undefined, { weekday: "short", year: "numeric", month: "long", day: "numeric" });
};
const time = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
};
const saidAt = (node: GraphNode) => node.metadata.chat_time || node.metadata.created_at;

function byDay(nodes: GraphNode[]): [string, GraphNode[]][] {
  const sorted = [...nodes].sort((a, b) => saidAt(b).localeCompare(saidAt(a)));
  const days = new Map<string, GraphNode[]>();
  for (const node of sorted) days.set(day(saidAt(node)), [...(days.get(day(saidAt(node))) ?? []), node]);
  return [...days.entries()];
}

const UPDATE_LABELS: Record<string, string> = { conflict: "replaced by a newer fact", extract: "refined by extraction" };

export function Timeline(props: { userId: string; cube: string; version: number; onSelect: (memoryId: string) => void; selected: string | undefined }) {
  const [nodes, setNodes] = useState<GraphNode[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let current = true;
    setError(undefined);
    allNodes(props.userId, props.cube).then(
      (found) => current && setNodes(found),
      (failure: unknown) => current && setError(messageOf(failure)),
    );
    return () => {
      current = false;
    };
  }, [props.userId, props.cube, props.version]);

  if (error) return <ErrorNote error={error} />;
  if (!nodes) return <p class="muted pulse list-pad">Loading…</p>;
  if (nodes.length === 0) return <p class="empty-small">Nothing on the timeline yet: memories appear here by the day they were said.</p>;
  return (
    <ol class="timeline" data-testid="timeline">
      {byDay(nodes).map(([date, entries]) => (
        <li class="timeline-day" key={date}>
          <h3 class="timeline-date">
            {date} <span class="count">{entries.length}</span>
          </h3>
          <ul class="timeline-entries">
            {entries.map((node) => (
              <li key={node.id} class={`timeline-entry${props.selected === node.id ? " selected" : ""}`} data-testid="timeline-entry">
                <button type="button" class="timeline-main" onClick={() => props.onSelect(node.id)}>
                  <span class="timeline-time">{time(saidAt(node))}</span>
                  <span class="memory-text">{node.memory}</span>
                </button>
                <span class="meta-line">
                  <TypeBadge type={node.metadata.memory_type} />
                  <span title="session">{node.metadata.session_id}</span>
                  {node.metadata.version > 1 && (
                    <span class="badge version" title="1 + the number of earlier versions">
                      v{node.metadata.version}
                    </span>
                  )}
                </span>
                {node.metadata.history.length > 0 && (
                  <ol class="versions" aria-label="Earlier versions">
                    {node.metadata.history.map((earlier) => (
                      <li key={earlier.version}>
                        <s>{earlier.memory}</s>
                        <span class="muted small">
                          {" "}
                          v{earlier.version}, {UPDATE_LABELS[earlier.update_type] ?? earlier.update_type}, {formatDate(earlier.created_at)}
                        </span>
                      </li>
                    ))}
                  </ol>
                )}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
