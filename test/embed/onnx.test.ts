/**
 * The optional ONNX embedder (MOS_EMBEDDER_BACKEND=onnx) as an operator uses it: a server over a
 * model folder, adding and searching memories. The model is the hand-written tiny encoder of
 * test/support/tiny-onnx.ts; onnxruntime-node is installed before the run, outside the repository, by
 * scripts/install-onnxruntime-for-tests.ts (see test/support/onnxruntime.ts), and the tests that need
 * it are skipped, saying how to install it, where it is not.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { ConfigError, parseConfig } from "../../src/config/index.js";
import { openEncoder } from "../../src/embed/onnx/encoder.js";
import { loadOnnxRuntime } from "../../src/embed/onnx/runtime.js";
import { onnxRuntimeForTests } from "../support/onnxruntime.js";
import { startTestServer, tempDataDir, textHits, type TestServer } from "../support/server.js";
import { TINY_DIMENSION, writeTinyModel } from "../support/tiny-onnx.js";

const runtime = onnxRuntimeForTests();
if (runtime.skip) console.log(`skipping the ONNX embedder tests that need onnxruntime-node: ${runtime.skip}`);
else console.log(`onnxruntime-node from ${runtime.path}`);

const scratch = mkdtempSync(path.join(tmpdir(), "memcube-onnx-"));
const modelA = writeTinyModel(path.join(scratch, "tiny-a"));
const modelB = writeTinyModel(path.join(scratch, "tiny-b"), { seed: 1 });
after(() => rmSync(scratch, { recursive: true, force: true }));

const onnxEnv = (model: string, runtimePath: string) => ({
  MOS_EMBEDDER_BACKEND: "onnx",
  MOS_EMBEDDER_MODEL_PATH: model,
  MEMCUBE_ONNXRUNTIME_PATH: runtimePath,
});

const MEMORIES = ["My dog is called Rex", "My cat likes fish", "The weather is sunny today"];

describe("ONNX embedder: a server over a model folder", { skip: runtime.skip }, () => {
  let server: TestServer;
  const dataDir = tempDataDir();
  before(async () => {
    server = await startTestServer(onnxEnv(modelA, runtime.path ?? ""), dataDir);
    const added = await server.post("/product/add", { user_id: "alice", messages: MEMORIES.map((content) => ({ role: "user", content })) });
    assert.equal(added.status, 200, JSON.stringify(added.body));
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("finds a memory by meaning alone: no word of the query is in it", async () => {
    const response = await server.post("/product/search", { user_id: "alice", query: "puppy?", top_k: 1 });
    assert.equal(response.status, 200);
    assert.deepEqual(textHits(response.body), ["My dog is called Rex"]);
  });

  test("Chinese queries are tokenised character by character and find their English counterparts", async () => {
    assert.deepEqual(textHits((await server.post("/product/search", { user_id: "alice", query: "狗", top_k: 1 })).body), ["My dog is called Rex"]);
    assert.deepEqual(textHits((await server.post("/product/search", { user_id: "alice", query: "鱼", top_k: 1 })).body), ["My cat likes fish"]);
  });

  test("the store records the model; another model needs `memcube reembed`, after which search works again", async () => {
    await server.stop();
    await assert.rejects(startTestServer(onnxEnv(modelB, runtime.path ?? ""), dataDir), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, new RegExp(`onnx:tiny-a:[0-9a-f]{12} \\(${TINY_DIMENSION} dimensions\\).*onnx:tiny-b:[0-9a-f]{12}.*reembed`));
      return true;
    });
    const run = await promisify(execFile)(process.execPath, ["bin/memcube.mjs", "reembed"], {
      env: { ...process.env, ...onnxEnv(modelB, runtime.path ?? ""), MEMCUBE_DATA_DIR: dataDir, LOG_LEVEL: "silent" },
      timeout: 120_000,
    });
    assert.match(run.stderr, /3 memories re-embedded/);
    server = await startTestServer(onnxEnv(modelB, runtime.path ?? ""), dataDir);
    assert.deepEqual(textHits((await server.post("/product/search", { user_id: "alice", query: "puppy", top_k: 1 })).body), ["My dog is called Rex"]);
  });
});

describe("ONNX encoder: pooling over padded batches", { skip: runtime.skip }, () => {
  const settings = (folder: string, pooling: "mean" | "cls") => ({
    modelFile: path.join(folder, "model.onnx"),
    tokenizerFile: path.join(folder, "tokenizer.json"),
    pooling,
    maxTokens: 512,
    runtimePath: runtime.path,
  });
  const rounded = (vector: Float32Array | undefined) => [...(vector ?? [])].map((value) => Math.round(value * 1e5) / 1e5);

  test("mean: a text's vector is the same alone and beside a longer text (its padding is masked out)", async () => {
    const folder = writeTinyModel(path.join(scratch, "loud-pad"), { padAxis: 5 });
    const encoder = await openEncoder(settings(folder, "mean"));
    try {
      const [alone] = await encoder.encode(["my dog"]);
      const [beside] = await encoder.encode(["my dog", "the weather is sunny today and my cat likes fish"]);
      assert.deepEqual(rounded(beside), rounded(alone));
      assert.equal(rounded(alone)[5], 0, "no [PAD] in the mean");
    } finally {
      await encoder.release();
    }
  });

  test("cls: the [CLS] token's vector, normalised", async () => {
    const encoder = await openEncoder(settings(modelA, "cls"));
    try {
      const [vector] = await encoder.encode(["my dog is called rex"]);
      assert.deepEqual(rounded(vector), [0, 0, 0, 0, 0, 0, 0, 1]);
    } finally {
      await encoder.release();
    }
  });
});

describe("ONNX embedder: identity", { skip: runtime.skip }, () => {
  test("another model.onnx in the same folder (same name) is detected and needs a re-embed", async () => {
    const folder = writeTinyModel(path.join(scratch, "same-name"));
    const dataDir = tempDataDir();
    try {
      const first = await startTestServer(onnxEnv(folder, runtime.path ?? ""), dataDir);
      await first.post("/product/add", { user_id: "alice", messages: "My dog is called Rex" });
      await first.stop();
      writeTinyModel(folder, { seed: 1 });
      await assert.rejects(startTestServer(onnxEnv(folder, runtime.path ?? ""), dataDir), /onnx:same-name:[0-9a-f]{12}.*onnx:same-name:[0-9a-f]{12}.*reembed/s);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("a model.onnx onnxruntime cannot read stops start-up with the file named (no hang, no worker left behind)", async () => {
    const folder = writeTinyModel(path.join(scratch, "corrupt"));
    writeFileSync(path.join(folder, "model.onnx"), "not a model");
    await assert.rejects(startTestServer(onnxEnv(folder, runtime.path ?? "")), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /onnxruntime cannot load .*corrupt.*model\.onnx/);
      return true;
    });
  });
});

describe("ONNX embedder: prefixes", { skip: runtime.skip }, () => {
  test("a passage prefix changes stored vectors (a re-embed is needed); a query prefix does not", async () => {
    const dataDir = tempDataDir();
    try {
      const first = await startTestServer(onnxEnv(modelA, runtime.path ?? ""), dataDir);
      await first.post("/product/add", { user_id: "alice", messages: "My dog is called Rex" });
      await first.stop();
      await assert.rejects(startTestServer({ ...onnxEnv(modelA, runtime.path ?? ""), MOS_EMBEDDER_PASSAGE_PREFIX: "passage: " }, dataDir), /reembed/);
      const withQueryPrefix = await startTestServer({ ...onnxEnv(modelA, runtime.path ?? ""), MOS_EMBEDDER_QUERY_PREFIX: "query: " }, dataDir);
      const response = await withQueryPrefix.post("/product/search", { user_id: "alice", query: "puppy", top_k: 1 });
      assert.deepEqual(textHits(response.body), ["My dog is called Rex"]);
      await withQueryPrefix.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("ONNX embedder: set-up errors", () => {
  test("without onnxruntime-node the server does not start, and says how to install it", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "memcube-no-ort-"));
    try {
      await assert.rejects(startTestServer(onnxEnv(modelA, empty)), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1\.x/);
        assert.match(error.message, /MEMCUBE_ONNXRUNTIME_PATH/);
        return true;
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test("without MEMCUBE_ONNXRUNTIME_PATH, the message says both places where the package was looked for", async (t) => {
    const error = await loadOnnxRuntime(undefined).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    if (error === undefined) return t.skip("onnxruntime-node is installed next to memcube here");
    assert.ok(error instanceof Error);
    assert.ok(error.message.includes(`from the working directory (${process.cwd()})`), error.message);
    assert.ok(error.message.includes(`memcube's folder (${path.resolve(import.meta.dirname, "../..")}${path.sep})`), error.message);
  });

  test("a model folder without tokenizer.json, or with a tokenizer other than WordPiece, is refused at start", { skip: runtime.skip }, async () => {
    const folder = writeTinyModel(path.join(scratch, "broken"));
    rmSync(path.join(folder, "tokenizer.json"));
    await assert.rejects(startTestServer(onnxEnv(folder, runtime.path ?? "")), /has no tokenizer\.json/);
    writeFileSync(path.join(folder, "tokenizer.json"), JSON.stringify({ model: { type: "Unigram", vocab: [["<unk>", 0]] } }));
    await assert.rejects(startTestServer(onnxEnv(folder, runtime.path ?? "")), /Unigram tokenizer; only WordPiece/);
    rmSync(path.join(folder, "model.onnx"));
    await assert.rejects(startTestServer(onnxEnv(folder, runtime.path ?? "")), /has no model\.onnx/);
  });

  test("configuration: defaults, and bad values name their variable", () => {
    const config = parseConfig({
      MOS_EMBEDDER_BACKEND: "onnx",
      MOS_EMBEDDER_MODEL_PATH: modelA,
      MOS_EMBEDDER_QUERY_PREFIX: "query: ",
      MOS_EMBEDDER_PASSAGE_PREFIX: "passage: ",
    });
    assert.deepEqual(config.embedder, {
      backend: "onnx",
      modelPath: modelA,
      queryPrefix: "query: ",
      passagePrefix: "passage: ",
      pooling: "mean",
      maxTokens: 512,
      runtimePath: undefined,
    });
    const configError = (env: Record<string, string>, variable: string) =>
      assert.throws(
        () => parseConfig({ MOS_EMBEDDER_BACKEND: "onnx", ...env }),
        (error: unknown) => error instanceof ConfigError && error.variable === variable,
      );
    configError({}, "MOS_EMBEDDER_MODEL_PATH");
    configError({ MOS_EMBEDDER_MODEL_PATH: path.join(scratch, "nowhere") }, "MOS_EMBEDDER_MODEL_PATH");
    configError({ MOS_EMBEDDER_MODEL_PATH: modelA, MOS_EMBEDDER_POOLING: "max" }, "MOS_EMBEDDER_POOLING");
    configError({ MOS_EMBEDDER_MODEL_PATH: modelA, MOS_EMBEDDER_MAX_TOKENS: "4" }, "MOS_EMBEDDER_MAX_TOKENS");
  });
});
