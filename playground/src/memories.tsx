/**
 * The memory panel: the user's cubes, a cube's memories page by page or on a timeline, adding, search,
 * detail, delete, sharing, export and import, and documents (drop files, see a file's chunks, delete a file).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { AddMemoryForm } from "./add-memory";
import { CubeList } from "./cube-list";
import { ApiError, api } from "./api";
import type { Cubes } from "./cubes";
import { Timeline } from "./timeline";
import { exportCube, importInto } from "./transfer";
import { FileBadge, citationOf } from "./file-source";
import { ConfirmDialog, Dialog, ErrorNote, Relativity, TypeBadge, formatDate, messageOf } from "./ui";
import type { GraphNode, MemoryDetail, MemoryItem, MemoryKinds, SearchData, ShareAccess } from "./wire";

const PAGE_SIZE = 10;

/** A cube nothing was written to yet does not exist: it is empty, not an error. */
async function orEmpty<T>(load: () => Promise<T>, empty: T): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return empty;
    throw error;
  }
}
const NO_MEMORIES: MemoryKinds = { text_mem: [], pref_mem: [], tool_mem: [], skill_mem: [] };
const NO_HITS: Pick<SearchData, "text_mem" | "pref_mem"> = { text_mem: [], pref_mem: [] };

type Listing = { kind: "page"; page: number; total: number; pages: number; memories: GraphNode[] } | { kind: "search"; query: string; memories: MemoryItem[] };

/** One page of a cube: its facts and its preferences (get_memory pages each kind alike), and how many pages there are. */
function pageOf(kinds: MemoryKinds): { memories: GraphNode[]; total: number; pages: number } {
  const buckets = [...kinds.text_mem, ...kinds.pref_mem];
  const totals = buckets.map((bucket) => bucket.total_nodes);
  return {
    memories: buckets.flatMap((bucket) => bucket.memories),
    total: totals.reduce((sum, total) => sum + total, 0),
    pages: Math.max(1, ...totals.map((total) => Math.ceil(total / PAGE_SIZE))),
  };
}

/** A memory to show, asked for from elsewhere (a reference in the chat). */
export interface MemoryFocus {
  memoryId: string;
  cubeId: string;
}

export function MemoryPanel(props: { userId: string; cubes: Cubes; version: number; focus: MemoryFocus | undefined; onChanged: () => void }) {
  const { userId, cubes } = props;
  // The cube chosen belongs to the user who chose it: after a change of user, their own cube is shown
  // at once, so no list is ever asked for with the new user and the old user's cube.
  const [choice, setChoice] = useState({ user: userId, cube: userId });
  const cube = choice.user === userId ? choice.cube : userId;
  const setCube = (next: string) => setChoice({ user: userId, cube: next });
  // Loads can overlap (a change of cube while a page is loading): only the latest one is shown.
  const latestLoad = useRef(0);
  const [listing, setListing] = useState<Listing>();
  const [query, setQuery] = useState("");
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<string>();
  const [sharing, setSharing] = useState(false);
  const [view, setView] = useState<"list" | "timeline">("list");
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [timelineVersion, setTimelineVersion] = useState(0);
  // A document whose chunks are shown instead of the whole cube.
  const [file, setFile] = useState<string>();
  const [uploading, setUploading] = useState<string>();
  const [deletingFile, setDeletingFile] = useState(false);

  useEffect(() => {
    if (!cubes.known.includes(cube)) setCube(userId);
  }, [cubes.known]);

  const run = async (load: () => Promise<Listing>) => {
    const ticket = ++latestLoad.current;
    setLoading(true);
    setError(undefined);
    try {
      const shown = await load();
      if (ticket === latestLoad.current) setListing(shown);
    } catch (failure) {
      if (ticket !== latestLoad.current) return;
      setListing(undefined);
      setError(messageOf(failure));
    } finally {
      if (ticket === latestLoad.current) setLoading(false);
    }
  };

  const showPage = (page: number) =>
    run(async () => {
      const list = (at: number) => orEmpty(() => api.listMemories(userId, cube, at, PAGE_SIZE, file), NO_MEMORIES);
      let shown = pageOf(await list(page));
      // The last page emptied (its memories deleted): show the page that is now last.
      if (page > shown.pages) shown = pageOf(await list((page = shown.pages)));
      return { kind: "page", page, total: shown.total, pages: shown.pages, memories: shown.memories };
    });

  const search = (text: string) =>
    run(async () => {
      const data = await orEmpty<Pick<SearchData, "text_mem" | "pref_mem">>(() => api.search(userId, [cube], text, 20), NO_HITS);
      const memories = [...data.text_mem, ...data.pref_mem]
        .flatMap((bucket) => bucket.memories)
        .sort((a, b) => (b.metadata.relativity ?? 0) - (a.metadata.relativity ?? 0));
      return { kind: "search", query: text, memories };
    });

  const refresh = () => {
    setTimelineVersion((n) => n + 1);
    return listing?.kind === "search" ? search(listing.query) : showPage(listing?.kind === "page" ? listing.page : 1);
  };
  const changed = () => {
    void refresh();
    props.onChanged();
  };

  const download = async () => {
    setNotice(undefined);
    try {
      const exported = await exportCube(userId, cube);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([JSON.stringify(exported, null, 2)], { type: "application/json" }));
      link.download = `${cube}-memories-${exported.exported_at.slice(0, 10)}.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      setNotice(`Exported ${exported.memories.length} ${exported.memories.length === 1 ? "memory" : "memories"} of ${cube}.`);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  const importFile = async (chosen: File) => {
    setNotice(undefined);
    setError(undefined);
    try {
      const { added, skipped } = await importInto(userId, cube, await chosen.text());
      setNotice(`Imported ${added} ${added === 1 ? "memory" : "memories"} into ${cube}${skipped ? `; ${skipped} already there, skipped` : ""}.`);
      changed();
    } catch (failure) {
      setError(`${chosen.name}: ${messageOf(failure)}`);
    }
  };

  /** Files dropped or chosen, added one after another (each stored and searchable before the next). */
  const addFiles = async (files: FileList | null | undefined) => {
    if (!files || files.length === 0) return;
    setNotice(undefined);
    setError(undefined);
    for (const chosen of Array.from(files)) {
      setUploading(chosen.name);
      try {
        await api.addDocument(userId, cube, chosen);
      } catch (failure) {
        setError(`${chosen.name}: ${messageOf(failure)}`);
        break;
      }
    }
    setUploading(undefined);
    changed();
  };

  const removeFile = async () => {
    if (file === undefined) return;
    try {
      await api.deleteFile(userId, cube, file);
      setSelected(undefined);
      // Leaving the file's view shows the whole cube again (the effect on `file` loads it).
      setFile(undefined);
      setTimelineVersion((n) => n + 1);
      props.onChanged();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setDeletingFile(false);
    }
  };

  useEffect(() => {
    setSelected(props.focus?.cubeId === cube ? props.focus.memoryId : undefined);
    setQuery("");
    setNotice(undefined);
    setError(undefined);
    setFile(undefined);
    if (userId) void showPage(1);
  }, [userId, cube]);
  useEffect(() => {
    if (userId) void showPage(1);
  }, [file]);
  useEffect(() => {
    if (!props.focus) return;
    if (props.focus.cubeId !== cube && cubes.known.includes(props.focus.cubeId)) setCube(props.focus.cubeId);
    setSelected(props.focus.memoryId);
  }, [props.focus]);
  useEffect(() => {
    if (userId && props.version > 0) void refresh();
  }, [props.version]);

  const pages = listing?.kind === "page" ? listing.pages : 1;

  return (
    <div class="memory-layout">
      <section
        class="panel memory-list"
        aria-label="Memories"
        onDragOver={(event) => event.preventDefault()}
        onDrop={(event) => {
          event.preventDefault();
          void addFiles(event.dataTransfer?.files);
        }}
      >
        <CubeList userId={userId} cubes={cubes} current={cube} onOpen={setCube} />
        <div class="toolbar">
          <form
            class="search"
            role="search"
            onSubmit={(event) => {
              event.preventDefault();
              setView("list");
              if (query.trim()) void search(query.trim());
              else void showPage(1);
            }}
          >
            <input
              type="search"
              value={query}
              placeholder="Search by meaning and keywords…"
              aria-label="Search memories"
              onInput={(event) => setQuery(event.currentTarget.value)}
            />
            <button type="submit" class="button">
              Search
            </button>
          </form>
          <button type="button" class="button ghost" onClick={() => setSharing(true)}>
            Share cube
          </button>
        </div>
        <div class="toolbar secondary">
          <div class="segmented" role="group" aria-label="View">
            <button type="button" class={`seg${view === "list" ? " active" : ""}`} aria-pressed={view === "list"} onClick={() => setView("list")}>
              List
            </button>
            <button type="button" class={`seg${view === "timeline" ? " active" : ""}`} aria-pressed={view === "timeline"} onClick={() => setView("timeline")}>
              Timeline
            </button>
          </div>
          <button type="button" class={`button${adding ? " active" : ""}`} aria-expanded={adding} onClick={() => setAdding(!adding)}>
            + Add memory
          </button>
          <label class="button ghost file-button" title="PDF, DOCX, HTML, Markdown, JSON, CSV or text; or drop files on the list">
            Add files
            <input
              type="file"
              multiple
              aria-label="Add files"
              onChange={(event) => {
                const input = event.currentTarget;
                void addFiles(input.files).then(() => (input.value = ""));
              }}
            />
          </label>
          <button type="button" class="button ghost push-right" onClick={() => void download()}>
            Export
          </button>
          <label class="button ghost file-button">
            Import
            <input
              type="file"
              accept="application/json,.json"
              aria-label="Import memories"
              onChange={(event) => {
                const chosen = event.currentTarget.files?.[0];
                event.currentTarget.value = "";
                if (chosen) void importFile(chosen);
              }}
            />
          </label>
        </div>
        {(adding || (listing?.kind === "page" && listing.total === 0 && file === undefined)) && (
          <AddMemoryForm
            userId={userId}
            cube={cube}
            onAdded={(count) => {
              setNotice(`Added ${count} ${count === 1 ? "memory" : "memories"} to ${cube}.`);
              setQuery("");
              setTimelineVersion((n) => n + 1);
              void showPage(1);
              props.onChanged();
            }}
          />
        )}
        {notice && (
          <p class="success list-pad" role="status">
            {notice}
          </p>
        )}
        <div class="list-head" hidden={view !== "list"}>
          {file !== undefined && (
            <span class="muted" data-testid="file-view">
              Chunks of <b>{file}</b> ·{" "}
              <button type="button" class="link" onClick={() => setFile(undefined)}>
                all memories
              </button>{" "}
              ·{" "}
              <button type="button" class="link" onClick={() => setDeletingFile(true)}>
                delete this file
              </button>
            </span>
          )}
          {uploading !== undefined && <span class="muted pulse">Reading {uploading}…</span>}
          {listing?.kind === "page" && file === undefined && (
            <span class="muted" data-testid="total">
              {listing.total} {listing.total === 1 ? "memory" : "memories"} in <b>{cube}</b>, newest first
            </span>
          )}
          {listing?.kind === "search" && (
            <span class="muted">
              {listing.memories.length} found for “{listing.query}” by relevance{" "}
              <button
                type="button"
                class="link"
                onClick={() => {
                  setQuery("");
                  void showPage(1);
                }}
              >
                clear
              </button>
            </span>
          )}
          {loading && <span class="muted pulse">Loading…</span>}
        </div>
        <ErrorNote error={error} />
        {view === "timeline" && <Timeline userId={userId} cube={cube} version={timelineVersion + props.version} selected={selected} onSelect={setSelected} />}
        <ul class="memory-items" data-testid="memory-list" hidden={view !== "list"}>
          {listing?.memories.map((memory) => (
            <li key={memory.id}>
              <button type="button" class={`memory-row${selected === memory.id ? " selected" : ""}`} onClick={() => setSelected(memory.id)}>
                <span class="memory-text">{memory.memory}</span>
                <span class="meta-line">
                  <TypeBadge type={memory.metadata.memory_type} />
                  <span title="when it was said">{formatDate(memory.metadata.chat_time || memory.metadata.created_at)}</span>
                  <span title="session">{memory.metadata.session_id}</span>
                  {"relativity" in memory.metadata && <Relativity value={memory.metadata.relativity} />}
                  <FileBadge memory={memory} />
                </span>
              </button>
            </li>
          ))}
        </ul>
        {view === "list" && listing && listing.memories.length === 0 && !loading && (
          <div class="empty-small" data-testid="empty-state">
            {listing.kind === "search" ? (
              "Nothing relevant found."
            ) : file !== undefined ? (
              "No chunks of this file are left."
            ) : (
              <>
                <p class="empty-title">Nothing remembered in {cube} yet</p>
                <p>Add a memory above, drop files here, or chat: each turn is remembered. Then search it here by meaning and keywords.</p>
              </>
            )}
          </div>
        )}
        {view === "list" && listing?.kind === "page" && pages > 1 && (
          <nav class="pager" aria-label="Pages">
            <button type="button" class="button" disabled={listing.page <= 1} onClick={() => void showPage(listing.page - 1)}>
              ← Newer
            </button>
            <span class="muted">
              Page {listing.page} of {pages}
            </span>
            <button type="button" class="button" disabled={listing.page >= pages} onClick={() => void showPage(listing.page + 1)}>
              Older →
            </button>
          </nav>
        )}
      </section>
      <MemoryDetailView
        userId={userId}
        cube={cube}
        memoryId={selected}
        onClose={() => setSelected(undefined)}
        onDeleted={() => {
          setSelected(undefined);
          changed();
        }}
        onFile={(fileId) => {
          setQuery("");
          setView("list");
          setFile(fileId);
        }}
      />
      {deletingFile && file !== undefined && (
        <ConfirmDialog
          title="Delete file"
          body={
            <p>
              Delete every chunk of <b>{file}</b> from <b>{cube}</b>? This cannot be undone.
            </p>
          }
          confirm="Delete file"
          onConfirm={() => void removeFile()}
          onCancel={() => setDeletingFile(false)}
        />
      )}
      {sharing && <ShareDialog userId={userId} cube={cube} onClose={() => setSharing(false)} />}
    </div>
  );
}

function MemoryDetailView(props: {
  userId: string;
  cube: string;
  memoryId: string | undefined;
  onClose: () => void;
  onDeleted: () => void;
  /** Show the chunks of this document. */
  onFile: (fileId: string) => void;
}) {
  const [detail, setDetail] = useState<MemoryDetail>();
  const [error, setError] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);

  useEffect(() => {
    setDetail(undefined);
    setError(undefined);
    if (props.memoryId) {
      api.memory(props.userId, props.memoryId).then(
        (found) => (found ? setDetail(found) : setError("This memory no longer exists.")),
        (failure: unknown) => setError(messageOf(failure)),
      );
    }
  }, [props.memoryId, props.userId]);

  if (!props.memoryId) {
    return (
      <aside class="panel detail" aria-label="Memory detail">
        <div class="panel-head">
          <h2>Memory</h2>
        </div>
        <p class="muted">Select a memory to see where it came from, its history, and to delete it.</p>
      </aside>
    );
  }

  const remove = async () => {
    if (!props.memoryId) return;
    setDeleting(true);
    try {
      await api.deleteMemory(props.userId, detail?.metadata.cube_id ?? props.cube, props.memoryId);
      setConfirming(false);
      props.onDeleted();
    } catch (failure) {
      setConfirming(false);
      setError(messageOf(failure));
    } finally {
      setDeleting(false);
    }
  };

  const meta = detail?.metadata;
  return (
    <aside class="panel detail" aria-label="Memory detail" data-testid="memory-detail">
      <div class="panel-head">
        <h2>Memory</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </div>
      <ErrorNote error={error} />
      {!detail && !error && <p class="muted pulse">Loading…</p>}
      {detail && meta && (
        <>
          <p class="detail-text">{detail.memory}</p>
          <div class="meta-line">
            <TypeBadge type={meta.memory_type} />
            <span class={`badge status-${meta.status}`}>{meta.status}</span>
            {meta.tags.map((tag) => (
              <span class="badge tag" key={tag}>
                {tag}
              </span>
            ))}
          </div>
          <dl class="facts">
            <dt>id</dt>
            <dd>
              <code>{detail.id}</code>
            </dd>
            <dt>cube</dt>
            <dd>{meta.cube_id}</dd>
            <dt>session</dt>
            <dd>{meta.session_id}</dd>
            <dt>said</dt>
            <dd>{formatDate(meta.chat_time)}</dd>
            <dt>stored</dt>
            <dd>{formatDate(meta.created_at)}</dd>
            {meta.key && (
              <>
                <dt>key</dt>
                <dd>{meta.key}</dd>
              </>
            )}
          </dl>
          <h3>Sources</h3>
          {meta.sources.length === 0 && <p class="muted small">No stored message.</p>}
          <ul class="sources">
            {meta.sources.map((source) => (
              <li key={source.message_id}>
                {source.type === "file" ? (
                  <div class="meta-line">
                    <span class="badge tag">file</span>
                    <span>{citationOf(source)}</span>
                    <button type="button" class="link" onClick={() => props.onFile(source.file_info.file_id)}>
                      all its chunks
                    </button>
                  </div>
                ) : (
                  <div class="meta-line">
                    <span class={`badge role-${source.role}`}>{source.role}</span>
                    <span>{formatDate(source.chat_time)}</span>
                  </div>
                )}
                <p>{source.content}</p>
              </li>
            ))}
          </ul>
          <h3>History</h3>
          {detail.history.length === 0 ? (
            <p class="muted small">Never changed since it was stored.</p>
          ) : (
            <ol class="history">
              {detail.history.map((version, index) => (
                <li key={index}>
                  <p>{version.memory}</p>
                  <div class="meta-line">
                    <span class="badge">{version.status}</span>
                    <span>{formatDate(version.changed_at)}</span>
                    <span>{version.reason}</span>
                  </div>
                </li>
              ))}
            </ol>
          )}
          <div class="detail-actions">
            <button type="button" class="button danger" onClick={() => setConfirming(true)}>
              Delete memory
            </button>
          </div>
        </>
      )}
      {confirming && detail && (
        <ConfirmDialog
          title="Delete this memory?"
          body={
            <>
              <blockquote>{detail.memory}</blockquote>
              <p>It is forgotten for good, with the messages it was made from (unless another memory still cites them).</p>
            </>
          }
          confirm="Delete"
          busy={deleting}
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        />
      )}
    </aside>
  );
}

function ShareDialog(props: { userId: string; cube: string; onClose: () => void }) {
  const [target, setTarget] = useState("");
  const [access, setAccess] = useState<ShareAccess>("read");
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  return (
    <Dialog title={`Share cube ${props.cube}`} onClose={props.onClose}>
      <form
        class="dialog-body stack"
        onSubmit={(event) => {
          event.preventDefault();
          setError(undefined);
          setDone(undefined);
          api.shareCube(props.userId, props.cube, target.trim(), access).then(
            () => setDone(access === "none" ? `${target.trim()} no longer has access to ${props.cube}.` : `${target.trim()} may now ${access} ${props.cube}.`),
            (failure: unknown) => setError(messageOf(failure)),
          );
        }}
      >
        <p class="muted small">
          Only the cube's owner may share it. Reading lets the other user search and chat with it; writing also lets them add and delete.
        </p>
        <label class="field">
          <span>User</span>
          <input value={target} required placeholder="user id" aria-label="Share with user" onInput={(event) => setTarget(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Access</span>
          <select value={access} aria-label="Access" onChange={(event) => setAccess(event.currentTarget.value as ShareAccess)}>
            <option value="read">read</option>
            <option value="write">write</option>
            <option value="none">none (revoke)</option>
          </select>
        </label>
        <ErrorNote error={error} />
        {done && (
          <p class="success" role="status">
            {done}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose}>
            Close
          </button>
          <button type="submit" class="button primary" disabled={!target.trim()}>
            Apply
          </button>
        </div>
      </form>
    </Dialog>
  );
}
