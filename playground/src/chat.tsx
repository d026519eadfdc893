/** The chat panel: a conversation streamed from /product/chat/stream, with the memories each answer used. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, apiKey, streamChat, type ChatStreamRequest } from "./api";
import type { Cubes } from "./cubes";
import type { ChatSettings } from "./settings";
import { ErrorNote, Relativity, TypeBadge, formatDate, messageOf, seconds } from "./ui";
import type { ChatFrame, ChatTiming, MemoryItem } from "./wire";

type TurnState = "searching" | "generating" | "done" | "stopped" | "failed";

interface Turn {
  id: number;
  query: string;
  answer: string;
  reasoning: string;
  references: MemoryItem[] | undefined;
  timing: ChatTiming | undefined;
  state: TurnState;
  error: string | undefined;
  /** The model asked for (the server's default when none was picked). */
  model: string | undefined;
  /** What was sent, to be replayed outside the page. */
  request: ChatStreamRequest;
}

/** The turn's request as a curl command: what an app of one's own sends (the key as a variable, never its value). */
function asCurl(request: ChatStreamRequest): string {
  const body = JSON.stringify(request, null, 2).replaceAll("'", "'\\''");
  const key = apiKey.get() ? ` \\\n  -H "Authorization: Bearer $MEMCUBE_API_KEY"` : "";
  return `curl -N ${location.origin}/product/chat/stream \\\n  -H 'content-type: application/json'${key} \\\n  -d '${body}'`;
}

const STATUS_TEXT: Partial<Record<TurnState, string>> = { searching: "Searching memory…", generating: "Generating…" };

const newSession = () => `playground-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}`;

/** What a frame changes in the turn it belongs to. */
function applyFrame(turn: Turn, frame: ChatFrame): Turn {
  switch (frame.type) {
    case "status":
      return { ...turn, state: frame.data === "2" ? "generating" : "searching" };
    case "reference":
      return { ...turn, references: frame.data };
    case "reasoning":
      return { ...turn, reasoning: turn.reasoning + frame.data };
    case "text":
      return { ...turn, answer: turn.answer + frame.data };
    case "time":
      return { ...turn, timing: frame.data };
    case "end":
      return { ...turn, state: "done" };
    case "error":
      return { ...turn, state: "failed", error: frame.data };
  }
}

export function ChatPanel(props: {
  userId: string;
  cubes: Cubes;
  keyVersion: number;
  settings: ChatSettings;
  onOpenSettings: () => void;
  onOpenMemories: () => void;
  onMemoriesChanged: () => void;
  onOpenMemory: (memory: MemoryItem) => void;
}) {
  const { userId, cubes } = props;
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState("");
  const [defaultModel, setDefaultModel] = useState<string>();
  const [noModel, setNoModel] = useState(false);
  const [modelError, setModelError] = useState<string>();
  const [turns, setTurns] = useState<Turn[]>([]);
  const [selected, setSelected] = useState<number>();
  const [draft, setDraft] = useState("");
  const [session, setSession] = useState(newSession);
  const running = useRef<AbortController | undefined>(undefined);
  const scroller = useRef<HTMLDivElement>(null);

  const loadModels = () => {
    api.models().then(
      (data) => {
        setModels(data.models);
        setModel((current) => current || data.default_model || data.models[0] || "");
        setDefaultModel(data.default_model ?? data.models[0]);
        setNoModel(data.models.length === 0);
        setModelError(undefined);
      },
      (error: unknown) => setModelError(messageOf(error)),
    );
  };
  useEffect(loadModels, [userId, props.keyVersion]);
  // Another user: another conversation.
  useEffect(() => {
    running.current?.abort();
    setTurns([]);
    setSelected(undefined);
    setSession(newSession());
  }, [userId]);

  useEffect(() => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [turns]);

  const busy = turns.some((turn) => turn.state === "searching" || turn.state === "generating");
  const shown = turns.find((turn) => turn.id === selected) ?? turns.at(-1);

  const send = async () => {
    const query = draft.trim();
    if (!query || busy || !userId) return;
    const id = Date.now();
    const history = turns
      .filter((turn) => turn.state === "done")
      .flatMap((turn): ChatStreamRequest["history"] => [
        { role: "user", content: turn.query },
        { role: "assistant", content: turn.answer },
      ]);
    const update = (change: (turn: Turn) => Turn) => setTurns((all) => all.map((turn) => (turn.id === id ? change(turn) : turn)));
    const { settings } = props;
    const request: ChatStreamRequest = {
      user_id: userId,
      query,
      readable_cube_ids: cubes.readable,
      writable_cube_ids: [cubes.writable],
      session_id: session,
      history,
      ...(model && { model_name_or_path: model }),
      top_k: settings.topK,
      threshold: settings.threshold,
      ...(settings.systemPrompt && { system_prompt: settings.systemPrompt }),
    };
    setTurns((all) => [
      ...all,
      {
        id,
        query,
        answer: "",
        reasoning: "",
        references: undefined,
        timing: undefined,
        state: "searching",
        error: undefined,
        model: model || defaultModel,
        request,
      },
    ]);
    setSelected(id);
    setDraft("");
    const controller = new AbortController();
    running.current = controller;
    try {
      await streamChat(request, (frame) => update((turn) => applyFrame(turn, frame)), controller.signal);
      update((turn) => (turn.state === "failed" || turn.state === "done" ? turn : { ...turn, state: "failed", error: "the stream ended early" }));
      props.onMemoriesChanged();
    } catch (error) {
      if (controller.signal.aborted) update((turn) => ({ ...turn, state: "stopped" }));
      else update((turn) => ({ ...turn, state: "failed", error: messageOf(error) }));
    } finally {
      running.current = undefined;
    }
  };

  const newChat = () => {
    running.current?.abort();
    setTurns([]);
    setSelected(undefined);
    setSession(newSession());
  };

  return (
    <div class="chat-layout">
      <section class="panel chat-main" aria-label="Chat">
        <div class="toolbar">
          <label class="field">
            <span>Model</span>
            <select value={model} onChange={(event) => setModel(event.currentTarget.value)} aria-label="Model">
              {models.map((name) => (
                <option value={name} key={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <fieldset class="field cube-checks">
            <legend>Read from</legend>
            {cubes.known.map((cube) => (
              <label class="check" key={cube}>
                <input type="checkbox" checked={cubes.readable.includes(cube)} onChange={() => cubes.toggleReadable(cube)} />
                {cube}
              </label>
            ))}
          </fieldset>
          <label class="field">
            <span>Write to</span>
            <select value={cubes.writable} onChange={(event) => cubes.setWritable(event.currentTarget.value)} aria-label="Write to">
              {cubes.known.map((cube) => (
                <option value={cube} key={cube}>
                  {cube}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="button ghost push-right" onClick={props.onOpenSettings} title="top_k, threshold, system prompt">
            Settings
          </button>
          <button type="button" class="button ghost" onClick={newChat} title={`session ${session}`}>
            New chat
          </button>
        </div>
        <ErrorNote error={modelError} />
        {noModel && (
          <div class="note no-model" data-testid="no-model">
            <p>
              <b>No chat model is configured</b> (<code>CHAT_MODEL_LIST</code>). Memory works without one: add memories and search them in the{" "}
              <button type="button" class="link" onClick={props.onOpenMemories}>
                Memories
              </button>{" "}
              tab (the local embedder and keyword search need no model).
            </p>
            <p class="small">
              A model adds: answers grounded in the memories found (this chat), and, as <code>MEMCUBE_EXTRACT_MODEL</code>, fine-mode extraction that turns
              conversations into separate facts and updates them when they change (see docs/fine-mode.md).
            </p>
          </div>
        )}
        <div class="conversation" ref={scroller} data-testid="conversation">
          {turns.length === 0 && (
            <div class="empty">
              <p class="empty-title">Chat with memory</p>
              <p>
                Each answer is grounded in what <b>{userId || "the user"}</b>'s cubes remember, and each turn is written back to <b>{cubes.writable}</b>. Tell
                it something about yourself, then ask about it.
              </p>
            </div>
          )}
          {turns.map((turn) => (
            <TurnView key={turn.id} turn={turn} selected={shown?.id === turn.id} onSelect={() => setSelected(turn.id)} />
          ))}
        </div>
        <form
          class="composer"
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          <textarea
            value={draft}
            rows={2}
            placeholder={userId ? `Message as ${userId}…  (Enter to send, Shift+Enter for a new line)` : "Choose a user first"}
            aria-label="Message"
            onInput={(event) => setDraft(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                void send();
              }
            }}
          />
          {busy ? (
            <button type="button" class="button" onClick={() => running.current?.abort()}>
              Stop
            </button>
          ) : (
            <button type="submit" class="button primary" disabled={!draft.trim() || !userId || cubes.readable.length === 0}>
              Send
            </button>
          )}
        </form>
      </section>
      <References turn={shown} onOpen={props.onOpenMemory} />
    </div>
  );
}

function TurnView(props: { turn: Turn; selected: boolean; onSelect: () => void }) {
  const { turn } = props;
  const status = STATUS_TEXT[turn.state];
  return (
    <div class="turn">
      <div class="bubble user">{turn.query}</div>
      <div class={`bubble assistant${props.selected ? " selected" : ""}`} data-testid="answer" data-state={turn.state}>
        {turn.reasoning && (
          <details class="reasoning">
            <summary>Reasoning</summary>
            <div class="reasoning-text">{turn.reasoning}</div>
          </details>
        )}
        {turn.answer ? <div class="answer-text">{turn.answer}</div> : status && <div class="status pulse">{status}</div>}
        {turn.answer && status && <span class="caret" aria-hidden="true" />}
        <ErrorNote error={turn.error} />
        {turn.state === "stopped" && <p class="muted small">Stopped: nothing of this turn was stored.</p>}
        <div class="turn-footer">
          {turn.model && (
            <span class="badge model" title="The model asked for this answer" data-testid="answer-model">
              {turn.model}
            </span>
          )}
          {turn.references && (
            <button type="button" class="link" onClick={props.onSelect}>
              {turn.references.length} {turn.references.length === 1 ? "memory" : "memories"} used
            </button>
          )}
          {turn.timing && (
            <span class="muted small" data-testid="timing">
              search {seconds(turn.timing.search_time)} · first token {seconds(turn.timing.first_token_time)} · total {seconds(turn.timing.total_time)}
            </span>
          )}
        </div>
        {turn.state !== "searching" && turn.state !== "generating" && (
          <details class="as-curl">
            <summary>As curl</summary>
            <pre data-testid="curl">{asCurl(turn.request)}</pre>
          </details>
        )}
      </div>
    </div>
  );
}

function References(props: { turn: Turn | undefined; onOpen: (memory: MemoryItem) => void }) {
  const { turn } = props;
  const references = turn?.references;
  return (
    <aside class="panel references" aria-label="Memories used" data-testid="references">
      <div class="panel-head">
        <h2>Memories used</h2>
        {references && <span class="count">{references.length}</span>}
      </div>
      {turn?.timing && (
        <dl class="timing">
          <div>
            <dt>Search</dt>
            <dd>{seconds(turn.timing.search_time)}</dd>
          </div>
          <div>
            <dt>First token</dt>
            <dd>{seconds(turn.timing.first_token_time)}</dd>
          </div>
          <div>
            <dt>Total</dt>
            <dd>{seconds(turn.timing.total_time)}</dd>
          </div>
        </dl>
      )}
      {!turn && <p class="muted">The memories the model is shown for an answer appear here, with their relevance.</p>}
      {turn && !references && (turn.state === "searching" || turn.state === "generating") && <p class="muted pulse">Searching…</p>}
      {turn && !references && (turn.state === "failed" || turn.state === "stopped") && (
        <p class="muted">No memories were used: the turn {turn.state === "failed" ? "failed" : "was stopped"} before the search answered.</p>
      )}
      {references?.length === 0 && <p class="muted">No memory was relevant: the model answered from the conversation alone.</p>}
      <ol class="reference-list">
        {references?.map((memory) => (
          <li class="reference" key={memory.id} data-testid="reference">
            <div class="reference-head">
              <code class="ref-id">{memory.ref_id}</code>
              <button type="button" class="link small push-right" onClick={() => props.onOpen(memory)}>
                Details
              </button>
              <Relativity value={memory.metadata.relativity} />
            </div>
            <p class="memory-text">{memory.memory}</p>
            <div class="meta-line">
              <TypeBadge type={memory.metadata.memory_type} />
              <span>{memory.metadata.cube_id}</span>
              <span>{formatDate(memory.metadata.chat_time || memory.metadata.created_at)}</span>
            </div>
          </li>
        ))}
      </ol>
    </aside>
  );
}
