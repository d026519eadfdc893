import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, apiKey, onUnauthorized } from "./api";
import { ChatPanel } from "./chat";
import { useCubes, type Cubes } from "./cubes";
import { MemoryPanel, type MemoryFocus } from "./memories";
import { SettingsDialog, loadSettings, saveSettings, type ChatSettings } from "./settings";
import { Dialog, ErrorNote, messageOf } from "./ui";
import "./style.css";

const USER_STORAGE = "memcube.playground.user";
const RECENT_USERS_STORAGE = "memcube.playground.recentUsers";

function recentUsers(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(RECENT_USERS_STORAGE) ?? "[]");
    return Array.isArray(stored) ? stored.filter((user): user is string => typeof user === "string") : [];
  } catch {
    return [];
  }
}
const ID = /^[A-Za-z0-9_\-.:@]{1,128}$/;
/** The user of the README's quick start, so that its memories are there on a first visit. */
const QUICK_START_USER = "alice";

/**
 * The key's user, where the server takes a key for `user_id` on /product/list_cubes: the owner of
 * the cubes it owns. Undefined where that cannot be told (no key, an older server, an admin key).
 */
async function keyUser(): Promise<string | undefined> {
  if (!apiKey.get()) return undefined;
  try {
    return (await api.whoami()).user_id ?? undefined;
  } catch {
    return undefined;
  }
}
type Tab = "chat" | "memories";

function App() {
  // The user this browser used last; on a first visit the quick start's. With a key, its user (below).
  const [userId, setUserId] = useState(() => localStorage.getItem(USER_STORAGE) || QUICK_START_USER);
  const [settings, setSettings] = useState<ChatSettings>(loadSettings);
  const [editingSettings, setEditingSettings] = useState(false);
  const [tab, setTab] = useState<Tab>(() => (location.hash === "#memories" ? "memories" : "chat"));
  const [askKey, setAskKey] = useState(false);
  const [hasKey, setHasKey] = useState(() => apiKey.get() !== "");
  const [version, setVersion] = useState<string>();
  const [memoriesVersion, setMemoriesVersion] = useState(0);
  const [keyVersion, setKeyVersion] = useState(0);
  const [focus, setFocus] = useState<MemoryFocus>();
  const cubes = useCubes(userId);

  useEffect(() => onUnauthorized(() => setAskKey(true)), []);
  useEffect(() => {
    void keyUser().then((user) => user && user !== userId && changeUser(user));
  }, [keyVersion]);
  useEffect(() => {
    fetch("/health")
      .then((response) => response.json() as Promise<{ version?: string }>)
      .then(
        (health) => setVersion(health.version),
        () => undefined,
      );
  }, []);
  useEffect(() => {
    history.replaceState(null, "", tab === "memories" ? "#memories" : "#chat");
  }, [tab]);

  const changeUser = (next: string) => {
    localStorage.setItem(USER_STORAGE, next);
    localStorage.setItem(RECENT_USERS_STORAGE, JSON.stringify([next, ...recentUsers().filter((user) => user !== next)].slice(0, 10)));
    setUserId(next);
  };

  return (
    <div class="app">
      <header class="header">
        <div class="brand">
          <span class="logo" aria-hidden="true" />
          <span>
            memcube <span class="brand-sub">playground</span>
          </span>
          {version && <span class="version">v{version}</span>}
        </div>
        <nav class="tabs" role="tablist" aria-label="Panels">
          {(["chat", "memories"] as const).map((name) => (
            <button type="button" role="tab" key={name} aria-selected={tab === name} class={`tab${tab === name ? " active" : ""}`} onClick={() => setTab(name)}>
              {name === "chat" ? "Chat" : "Memories"}
            </button>
          ))}
        </nav>
        <div class="header-tools">
          <UserField userId={userId} onChange={changeUser} />
          <CubeChips userId={userId} cubes={cubes} />
          <button type="button" class={`button key-button${hasKey ? " has-key" : ""}`} onClick={() => setAskKey(true)}>
            {hasKey ? "API key ✓" : "API key"}
          </button>
        </div>
      </header>
      <main class="main">
        <div hidden={tab !== "chat"} role="tabpanel" aria-label="Chat panel">
          <ChatPanel
            userId={userId}
            cubes={cubes}
            keyVersion={keyVersion}
            settings={settings}
            onOpenSettings={() => setEditingSettings(true)}
            onOpenMemories={() => setTab("memories")}
            onMemoriesChanged={() => {
              setMemoriesVersion((n) => n + 1);
              cubes.reload();
            }}
            onOpenMemory={(memory) => {
              setFocus({ memoryId: memory.id, cubeId: memory.metadata.cube_id });
              setTab("memories");
            }}
          />
        </div>
        <div hidden={tab !== "memories"} role="tabpanel" aria-label="Memories panel">
          <MemoryPanel userId={userId} cubes={cubes} version={memoriesVersion + keyVersion} focus={focus} onChanged={cubes.reload} />
        </div>
      </main>
      {editingSettings && (
        <SettingsDialog
          settings={settings}
          onSave={(next) => {
            saveSettings(next);
            setSettings(next);
          }}
          onClose={() => setEditingSettings(false)}
        />
      )}
      {askKey && (
        <KeyDialog
          onClose={(changed) => {
            setAskKey(false);
            setHasKey(apiKey.get() !== "");
            // Everything loaded without the key (models, the list) is asked for again.
            if (changed) setKeyVersion((n) => n + 1);
          }}
        />
      )}
    </div>
  );
}

function UserField(props: { userId: string; onChange: (userId: string) => void }) {
  const [value, setValue] = useState(props.userId);
  useEffect(() => setValue(props.userId), [props.userId]);
  const valid = ID.test(value);
  const commit = () => {
    if (valid && value !== props.userId) props.onChange(value);
  };
  return (
    <label class="field inline" title="The acting user (user_id); with API keys, a user key acts as its own user only">
      <span>User</span>
      <input
        value={value}
        list="recent-users"
        aria-label="User"
        aria-invalid={!valid}
        class={valid ? "" : "invalid"}
        size={14}
        onInput={(event) => setValue(event.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(event) => event.key === "Enter" && commit()}
      />
      <datalist id="recent-users">
        {recentUsers().map((user) => (
          <option value={user} key={user} />
        ))}
      </datalist>
    </label>
  );
}

function CubeChips(props: { userId: string; cubes: Cubes }) {
  const [adding, setAdding] = useState(false);
  return (
    <div class="cube-chips" aria-label="Cubes">
      {props.cubes.known.map((cube) => (
        <span class="chip" key={cube}>
          {cube}
          {cube !== props.userId && !props.cubes.listed.some((listed) => listed.cube_id === cube) && (
            <button type="button" class="chip-x" aria-label={`Forget cube ${cube}`} onClick={() => props.cubes.remove(cube)}>
              ×
            </button>
          )}
        </span>
      ))}
      <button type="button" class="chip add" onClick={() => setAdding(true)}>
        + cube
      </button>
      {adding && <AddCubeDialog userId={props.userId} onAdd={props.cubes.add} onClose={() => setAdding(false)} />}
    </div>
  );
}

function AddCubeDialog(props: { userId: string; onAdd: (cube: string) => void; onClose: () => void }) {
  const [cube, setCube] = useState("");
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string>();
  const valid = ID.test(cube);

  const submit = async () => {
    setError(undefined);
    try {
      if (missing) await api.createCube(props.userId, cube);
      else if (!(await api.cubeExists(props.userId, cube))) return setMissing(true);
      props.onAdd(cube);
      props.onClose();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : messageOf(failure));
    }
  };

  return (
    <Dialog title="Add a cube" onClose={props.onClose}>
      <form
        class="dialog-body stack"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <p class="muted small">A cube of yours, or one another user shared with you. A cube that does not exist yet can be created, owned by {props.userId}.</p>
        <label class="field">
          <span>Cube id</span>
          <input
            value={cube}
            required
            aria-label="Cube id"
            onInput={(event) => {
              setCube(event.currentTarget.value);
              setMissing(false);
            }}
          />
        </label>
        {missing && <p class="note">Cube “{cube}” does not exist yet.</p>}
        <ErrorNote error={error} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={!valid}>
            {missing ? "Create cube" : "Add"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function KeyDialog(props: { onClose: (changed: boolean) => void }) {
  const [key, setKey] = useState(apiKey.get());
  return (
    <Dialog title="API key" onClose={() => props.onClose(false)}>
      <form
        class="dialog-body stack"
        onSubmit={(event) => {
          event.preventDefault();
          apiKey.set(key.trim());
          props.onClose(true);
        }}
      >
        <p class="muted small">
          This server asks for a key (MEMCUBE_API_KEYS). The page sends it as <code>Authorization: Bearer …</code> and keeps it in this tab's session storage
          only: it is gone when the tab closes.
        </p>
        <label class="field">
          <span>Key</span>
          <input type="password" value={key} autocomplete="off" aria-label="API key" onInput={(event) => setKey(event.currentTarget.value)} />
        </label>
        <div class="dialog-actions">
          {apiKey.get() && (
            <button
              type="button"
              class="button ghost push-left"
              onClick={() => {
                apiKey.set("");
                props.onClose(true);
              }}
            >
              Forget key
            </button>
          )}
          <button type="button" class="button" onClick={() => props.onClose(false)}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={!key.trim()}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
