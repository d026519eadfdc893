/** Small shared pieces: dialogs, a memory's one-line summary, relevance bars, dates. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { MemoryItem } from "./wire";

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; label?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} class="dialog" aria-label={props.label ?? props.title} onClose={props.onClose} onCancel={props.onClose}>
      <h2>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

export function ConfirmDialog(props: { title: string; body: ComponentChildren; confirm: string; busy?: boolean; onConfirm: () => void; onCancel: () => void }) {
  return (
    <Dialog title={props.title} onClose={props.onCancel}>
      <div class="dialog-body">{props.body}</div>
      <div class="dialog-actions">
        <button type="button" class="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class="button danger" disabled={props.busy} onClick={props.onConfirm}>
          {props.confirm}
        </button>
      </div>
    </Dialog>
  );
}

export function Relativity(props: { value: number | null | undefined }) {
  if (props.value === undefined || props.value === null) return null;
  const percent = Math.round(props.value * 100);
  return (
    <span class="relativity" title={`relativity ${props.value.toFixed(4)}`}>
      <span class="relativity-bar">
        <span style={{ width: `${percent}%` }} />
      </span>
      <span class="relativity-value">{props.value.toFixed(2)}</span>
    </span>
  );
}

export const TYPE_LABELS: Record<MemoryItem["metadata"]["memory_type"], string> = {
  WorkingMemory: "working",
  LongTermMemory: "long-term",
  UserMemory: "user",
  PreferenceMemory: "preference",
};

export function TypeBadge(props: { type: MemoryItem["metadata"]["memory_type"] }) {
  return <span class={`badge type-${props.type}`}>{TYPE_LABELS[props.type] ?? props.type}</span>;
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function seconds(value: number): string {
  return value < 1 ? `${Math.round(value * 1000)} ms` : `${value.toFixed(2)} s`;
}

export function ErrorNote(props: { error: string | undefined }) {
  return props.error ? (
    <p class="error" role="alert">
      {props.error}
    </p>
  ) : null;
}

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
