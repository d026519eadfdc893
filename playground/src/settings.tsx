/** Chat settings: how many memories to retrieve, the relevance threshold and the system prompt, sent with every chat request. */
import { useState } from "preact/hooks";
import { Dialog } from "./ui";

export interface ChatSettings {
  topK: number;
  threshold: number;
  /** Empty: the server's default prompt. */
  systemPrompt: string;
}

/** The API's own defaults (ChatRequest), so that an untouched page sends what a client without settings gets. */
export const DEFAULT_SETTINGS: ChatSettings = { topK: 10, threshold: 0.5, systemPrompt: "" };
const STORAGE = "memcube.playground.settings";

export function loadSettings(): ChatSettings {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE) ?? "{}") as Partial<Record<keyof ChatSettings, unknown>>;
    return {
      topK: typeof value.topK === "number" ? value.topK : DEFAULT_SETTINGS.topK,
      threshold: typeof value.threshold === "number" ? value.threshold : DEFAULT_SETTINGS.threshold,
      systemPrompt: typeof value.systemPrompt === "string" ? value.systemPrompt : DEFAULT_SETTINGS.systemPrompt,
    };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function saveSettings(settings: ChatSettings): void {
  localStorage.setItem(STORAGE, JSON.stringify(settings));
}

export function SettingsDialog(props: { settings: ChatSettings; onSave: (settings: ChatSettings) => void; onClose: () => void }) {
  const [topK, setTopK] = useState(String(props.settings.topK));
  const [threshold, setThreshold] = useState(String(props.settings.threshold));
  const [systemPrompt, setSystemPrompt] = useState(props.settings.systemPrompt);
  const topKValid = /^\d+$/.test(topK) && Number(topK) >= 1;
  const thresholdValid = threshold.trim() !== "" && Number(threshold) >= 0 && Number(threshold) <= 1;
  return (
    <Dialog title="Chat settings" onClose={props.onClose}>
      <form
        class="dialog-body stack"
        onSubmit={(event) => {
          event.preventDefault();
          props.onSave({ topK: Number(topK), threshold: Number(threshold), systemPrompt: systemPrompt.trim() ? systemPrompt : "" });
          props.onClose();
        }}
      >
        <p class="muted small">Sent with every chat request (top_k, threshold, system_prompt) and kept in this browser.</p>
        <label class="field">
          <span>Memories to retrieve (top_k)</span>
          <input type="number" min={1} value={topK} aria-label="top_k" aria-invalid={!topKValid} onInput={(event) => setTopK(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Relevance threshold (0–1; at least 3 memories stay)</span>
          <input
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={threshold}
            aria-label="threshold"
            aria-invalid={!thresholdValid}
            onInput={(event) => setThreshold(event.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>
            System prompt (empty: the server's; <code>{"{memories}"}</code> marks where the memories go)
          </span>
          <textarea rows={5} value={systemPrompt} aria-label="System prompt" onInput={(event) => setSystemPrompt(event.currentTarget.value)} />
        </label>
        <div class="dialog-actions">
          <button
            type="button"
            class="button ghost push-left"
            onClick={() => {
              setTopK(String(DEFAULT_SETTINGS.topK));
              setThreshold(String(DEFAULT_SETTINGS.threshold));
              setSystemPrompt("");
            }}
          >
            Defaults
          </button>
          <button type="button" class="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={!topKValid || !thresholdValid}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
