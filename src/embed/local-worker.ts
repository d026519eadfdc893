/**
 * The worker thread that owns the bundled encoder (see `local.ts`), so that a model call never
 * blocks the main thread's event loop. It answers one request at a time, in order:
 *
 *   main → worker  { id, texts }                      one model call
 *   worker → main  { type: "ready" }                  once, after loading and a warm-up call
 *                  { type: "vectors", id, vectors }   texts.length × 512 unit vectors (transferred)
 *                  { type: "failed", id, message }    that call failed; the worker carries on
 *
 * A failure to load is thrown, which ends the worker with an `error` event the main thread reports.
 */
import { parentPort } from "node:worker_threads";
import { loadModel } from "./model.js";

export interface EmbedRequest {
  id: number;
  texts: string[];
}

export type WorkerMessage = { type: "ready" } | { type: "vectors"; id: number; vectors: Float32Array } | { type: "failed"; id: number; message: string };

const port = parentPort;
if (!port) throw new Error("local-worker.ts runs as a worker thread, started by the local embedder");

const model = await loadModel();
// The first call of each kind is slower (the WebAssembly heap grows, code warms up): pay it now.
await model.embed(["warm-up", "a slightly longer warm-up sentence for the encoder"]);

port.on("message", (request: EmbedRequest) => {
  // One call at a time: a second request is only sent once this one has been answered.
  model.embed(request.texts).then(
    (vectors) => {
      const message: WorkerMessage = { type: "vectors", id: request.id, vectors };
      port.postMessage(message, [vectors.buffer as ArrayBuffer]);
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({ type: "failed", id: request.id, message } satisfies WorkerMessage);
      // A WebAssembly trap (a RuntimeError) leaves the module in an unknown state: start afresh.
      if (error instanceof Error && error.name === "RuntimeError") process.exit(1);
    },
  );
});
port.postMessage({ type: "ready" } satisfies WorkerMessage);
