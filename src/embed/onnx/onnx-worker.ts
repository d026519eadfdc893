/**
 * The worker thread that owns the ONNX model (see `onnx-embedder.ts`). onnxruntime-node runs a
 * session synchronously on the thread that calls it, so here it blocks this thread, not the
 * server's event loop. Requests are answered one at a time, in order:
 *
 *   main → worker  { id, texts }
 *   worker → main  { type: "ready", dimension }            once, after loading and a probe
 *                  { type: "vectors", id, vectors }        texts.length × dimension (transferred)
 *                  { type: "failed", id, message }         that call failed; the worker carries on
 *                  { type: "unusable", message }           loading failed; the worker then ends
 */
import { parentPort, workerData } from "node:worker_threads";
import { openEncoder, type EncoderSettings, type OnnxEncoder } from "./encoder.js";

export interface OnnxRequest {
  id: number;
  texts: string[];
}

export type OnnxWorkerMessage =
  | { type: "ready"; dimension: number }
  | { type: "vectors"; id: number; vectors: Float32Array }
  | { type: "failed"; id: number; message: string }
  | { type: "unusable"; message: string };

const port = parentPort;
if (!port) throw new Error("onnx-worker.ts runs as a worker thread, started by the ONNX embedder");
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

let encoder: OnnxEncoder;
let dimension: number;
try {
  encoder = await openEncoder(workerData as EncoderSettings);
  dimension = (await encoder.encode(["dimension probe"]))[0]?.length ?? 0;
  if (dimension === 0) throw new Error(`${(workerData as EncoderSettings).modelFile} gives empty vectors`);
} catch (error) {
  port.postMessage({ type: "unusable", message: describe(error) } satisfies OnnxWorkerMessage);
  port.close();
  process.exit(0);
}

let queue: Promise<void> = Promise.resolve();
port.on("message", (request: OnnxRequest) => {
  queue = queue.then(async () => {
    try {
      const vectors = await encoder.encode(request.texts);
      const flat = new Float32Array(vectors.length * dimension);
      vectors.forEach((vector, index) => flat.set(vector, index * dimension));
      port.postMessage({ type: "vectors", id: request.id, vectors: flat } satisfies OnnxWorkerMessage, [flat.buffer]);
    } catch (error) {
      port.postMessage({ type: "failed", id: request.id, message: describe(error) } satisfies OnnxWorkerMessage);
    }
  });
});
port.postMessage({ type: "ready", dimension } satisfies OnnxWorkerMessage);
