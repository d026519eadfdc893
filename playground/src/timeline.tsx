/**
 * A cube's memories on a timeline: grouped by the day they were said (chat_time), newest first, each
 * with its earlier versions. Listings carry no history (get_all and get_memory send version 1 and
 * []), so the versions of the newest memories are asked for one by one (GET /product/get_memory/{id}).
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "./api";
import { FileBadge } from "./file-source";
import { allNodes } from "./transfer";
import { ErrorNote, TYPE_LABELS, TypeBadge, formatDate, messageOf } from "./ui";
import type { GraphNode, MemoryDetail } from "./wire";

/** The memories whose history is looked up, newest first; older ones show their text only. */
const HISTORY_LOOKUPS = 200;
const PARALLEL_LOOKUPS = 4;
type Versions = MemoryDetail["history"];

async function histories(userId: string, nodes: GraphNode[], found: (id: string, versions: Versions) => void, live: () => boolean): Promise<void> {
  const queue = nodes.slice(0, HISTORY_LOOKUPS);
  const worker = async () => {
    for (let node = queue.shift(); node && live(); node = queue.shift()) {
      const detail = await api.memory(userId, node.id).catch(() => null);
      if (detail && detail.history.length > 0 && live()) found(node.id, detail.history);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_LOOKUPS }, worker));
}

const day = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso.slice(0, 10)
    : date.toLocaleDateString(undefined, { weekday: "short", year: "numeric", month: "long", day: "numeric" });
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

export function Timeline(props: { userId: string; cube: string; version: number; onSelect: (memoryId: string) => void; selected: string | undefined }) {
  const [nodes, setNodes] = useState<GraphNode[]>();
  const [versions, setVersions] = useState<Record<string, Versions>>({});
  const [error, setError] = useState<string>();
  const [type, setType] = useState("");
  const [session, setSession] = useState("");
  const [words, setWords] = useState("");

  useEffect(() => {
    let current = true;
    setError(undefined);
    setVersions({});
    allNodes(props.userId, props.cube).then(
      (found) => {
        if (!current) return;
        setNodes(found);
        const newest = [...found].sort((a, b) => b.metadata.updated_at.localeCompare(a.metadata.updated_at));
        void histories(
          props.userId,
          newest,
          (id, history) => setVersions((known) => ({ ...known, [id]: history })),
          () => current,
        );
      },
      (failure: unknown) => current && setError(messageOf(failure)),
    );
    return () => {
      current = false;
    };
  }, [props.userId, props.cube, props.version]);

  if (error) return <ErrorNote error={error} />;
  if (!nodes) return <p class="muted pulse list-pad">Loading…</p>;
  if (nodes.length === 0) return <p class="empty-small">Nothing on the timeline yet: memories appear here by the day they were said.</p>;
  const types = [...new Set(nodes.map((node) => node.metadata.memory_type))].sort();
  const sessions = [...new Set(nodes.map((node) => node.metadata.session_id))].sort();
  const needle = words.trim().toLowerCase();
  const shown = nodes.filter(
    (node) =>
      (!type || node.metadata.memory_type === type) &&
      (!session || node.metadata.session_id === session) &&
      (!needle || node.memory.toLowerCase().includes(needle) || (versions[node.id] ?? []).some((version) => version.memory.toLowerCase().includes(needle))),
  );
  return (
    <>
      <div class="timeline-filters" role="group" aria-label="Filter the timeline">
        <select value={type} aria-label="Type" onChange={(event) => setType(event.currentTarget.value)}>
          <option value="">every type</option>
          {types.map((name) => (
            <option value={name} key={name}>
              {TYPE_LABELS[name] ?? name}
            </option>
          ))}
        </select>
        <select value={session} aria-label="Session" onChange={(event) => setSession(event.currentTarget.value)}>
          <option value="">every session</option>
          {sessions.map((name) => (
            <option value={name} key={name}>
              {name}
            </option>
          ))}
        </select>
        <input
          type="search"
          value={words}
          placeholder="words in the text or an earlier version"
          aria-label="Filter by words"
          onInput={(event) => setWords(event.currentTarget.value)}
        />
        <span class="muted small" data-testid="timeline-count">
          {shown.length === nodes.length ? `${nodes.length} memories` : `${shown.length} of ${nodes.length} memories`}
        </span>
      </div>
      <ol class="timeline" data-testid="timeline">
        {byDay(shown).map(([date, entries]) => (
          <li class="timeline-day" key={date}>
            <h3 class="timeline-date">
              {date} <span class="count">{entries.length}</span>
            </h3>
            <ul class="timeline-entries">
              {entries.map((node) => {
                const earlier = versions[node.id] ?? [];
                return (
                  <li key={node.id} class={`timeline-entry${props.selected === node.id ? " selected" : ""}`} data-testid="timeline-entry">
                    <button type="button" class="timeline-main" onClick={() => props.onSelect(node.id)}>
                      <span class="timeline-time">{time(saidAt(node))}</span>
                      <span class="memory-text">{node.memory}</span>
                    </button>
                    <span class="meta-line">
                      <TypeBadge type={node.metadata.memory_type} />
                      <span title="session">{node.metadata.session_id}</span>
                      <FileBadge memory={node} />
                      {earlier.length > 0 && (
                        <span class="badge version" title="1 + the number of earlier versions">
                          v{earlier.length + 1}
                        </span>
                      )}
                    </span>
                    {earlier.length > 0 && (
                      <ol class="versions" aria-label="Earlier versions">
                        {earlier.map((version, index) => (
                          <li key={index}>
                            <s>{version.memory}</s>
                            <span class="muted small">
                              {" "}
                              v{index + 1}, {version.reason}, {formatDate(version.changed_at)}
                            </span>
                          </li>
                        ))}
                      </ol>
                    )}
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ol>
    </>
  );
}
