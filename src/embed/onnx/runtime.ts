/**
 * `onnxruntime-node`, loaded only when the ONNX embedder is configured: it is not a dependency of
 * memcube (it weighs ~290 MB). Only the few members used here are typed, and checked at load.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ONNXRUNTIME_INSTALL_COMMAND = "ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.x";

export type TensorData = BigInt64Array | Float32Array;

export interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}

export interface OnnxRuntime {
  /** The package's version, for the logs. */
  version: string;
  createSession(model: Uint8Array): Promise<OrtSession>;
  tensor(type: "int64", data: BigInt64Array, dims: readonly number[]): OrtTensor;
}

export class OnnxRuntimeMissingError extends Error {
  override readonly name = "OnnxRuntimeMissingError";
}

interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: TensorData, dims: readonly number[]) => OrtTensor;
  env?: { versions?: { node?: string; common?: string } };
}

/**
 * Imports `onnxruntime-node` from `runtimePath` (a folder whose node_modules holds it, e.g. one
 * made with `npm install --prefix <folder>`), or by ordinary resolution from memcube's own folder.
 */
export async function loadOnnxRuntime(runtimePath: string | undefined): Promise<OnnxRuntime> {
  const where = runtimePath
    ? `under ${runtimePath} (MEMCUBE_ONNXRUNTIME_PATH)`
    : `from the working directory (${process.cwd()}) nor in memcube's folder (${MEMCUBE_FOLDER})`;
  let specifier: string;
  try {
    specifier = pathToFileURL(resolveRuntime(runtimePath)).href;
  } catch (cause) {
    throw new OnnxRuntimeMissingError(
      `MOS_EMBEDDER_BACKEND=onnx needs the onnxruntime-node package, which was not found ${where}: ` +
        `install it with \`${ONNXRUNTIME_INSTALL_COMMAND}\` in memcube's folder, or into another folder with ` +
        `\`--prefix <folder>\` and set MEMCUBE_ONNXRUNTIME_PATH=<folder>`,
      { cause },
    );
  }
  let loaded: unknown;
  try {
    loaded = await import(specifier);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    throw new OnnxRuntimeMissingError(
      `onnxruntime-node was found ${where} but does not load (${reason}); reinstall it with \`${ONNXRUNTIME_INSTALL_COMMAND}\``,
      { cause },
    );
  }
  const ort = asOrtModule(loaded);
  if (!ort) throw new OnnxRuntimeMissingError(`the onnxruntime-node found ${where} is not the expected package (no InferenceSession/Tensor)`);
  return {
    version: ort.env?.versions?.node ?? ort.env?.versions?.common ?? "unknown",
    // Sequential execution: sessions serve one batch at a time, and the default thread pool
    // (one thread per core) is what an embedding server wants.
    createSession: (model) => ort.InferenceSession.create(model, { executionMode: "sequential", graphOptimizationLevel: "all" }),
    tensor: (type, data, dims) => new ort.Tensor(type, data, dims),
  };
}

/** memcube's own folder (this file is src/embed/onnx/runtime.ts, or the same path compiled). */
const MEMCUBE_FOLDER = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * The package's entry file: under MEMCUBE_ONNXRUNTIME_PATH when set; otherwise from the working
 * directory, then from memcube's own folder, where the README says to install it (memcube is
 * often started from elsewhere: a service's working directory, a data folder).
 */
function resolveRuntime(runtimePath: string | undefined): string {
  if (runtimePath) return createRequire(path.join(runtimePath, "package.json")).resolve("onnxruntime-node");
  try {
    return createRequire(path.join(process.cwd(), "package.json")).resolve("onnxruntime-node");
  } catch {
    return createRequire(import.meta.url).resolve("onnxruntime-node");
  }
}

/** The CommonJS package arrives as `default` (and, depending on Node, also as named exports). */
function asOrtModule(loaded: unknown): OrtModule | undefined {
  const candidates = [loaded, isRecord(loaded) ? loaded.default : undefined];
  for (const candidate of candidates) {
    if (
      isRecord(candidate) &&
      isRecord(candidate.InferenceSession) &&
      typeof candidate.InferenceSession.create === "function" &&
      typeof candidate.Tensor === "function"
    ) {
      return candidate as unknown as OrtModule;
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}
