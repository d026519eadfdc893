/** Adding memories by hand: each line or the whole text stored as said (fast mode), so the page is useful without any model. */
import { useState } from "preact/hooks";
import { api } from "./api";
import { ErrorNote, messageOf } from "./ui";

export function AddMemoryForm(props: { userId: string; cube: string; onAdded: (count: number) => void }) {
  const [text, setText] = useState("");
  const [said, setSaid] = useState("");
  const [perLine, setPerLine] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async () => {
    const texts = (perLine ? text.split("\n") : [text]).map((line) => line.trim()).filter(Boolean);
    if (texts.length === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      // datetime-local has no zone: it is the browser's local time.
      const chatTime = said ? new Date(said).toISOString() : undefined;
      const messages = texts.map((content) => ({ role: "user" as const, content, ...(chatTime && { chat_time: chatTime }) }));
      const added = await api.addMemories(props.userId, props.cube, `playground-notes-${new Date().toISOString().slice(0, 10)}`, messages);
      setText("");
      props.onAdded(added.length);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="add-memory"
      aria-label="Add memory"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <textarea
        rows={2}
        value={text}
        placeholder={`Something ${props.userId} wants remembered, e.g. “I prefer window seats”`}
        aria-label="New memory"
        onInput={(event) => setText(event.currentTarget.value)}
      />
      <div class="add-memory-row">
        <label class="field inline small">
          <span>Said on</span>
          <input type="datetime-local" value={said} aria-label="Said on" onInput={(event) => setSaid(event.currentTarget.value)} />
        </label>
        <label class="check small">
          <input type="checkbox" checked={perLine} onChange={() => setPerLine(!perLine)} />
          one memory per line
        </label>
        <button type="submit" class="button primary push-right" disabled={busy || !text.trim()}>
          Add to {props.cube}
        </button>
      </div>
      <p class="muted small">Stored as written (fast mode): no model needed, searchable at once by meaning and keywords.</p>
      <ErrorNote error={error} />
    </form>
  );
}
