import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";
import { createRequire } from "node:module";
import type usearchModule from "usearch";
import { bytes, nullable, number, rowOf, text, valueOf } from "../core/decode.js";
import { dequantize } from "./quantize.js";

// The CommonJS build: the ESM one finds its native binary by walking up from the caller's stack,
// which fails when the caller is not a file on disk.
const usearch = createRequire(import.meta.url)("usearch") as typeof usearchModule;

/** Below this many vectors an exact scan is about as fast (well under a millisecond) and always right. */
export const ANN_MIN_VECTORS = 2_000;
/** Vectors added to an index per step while building, with a turn of the event loop in between. */
const BUILD_STEP = 256;
/**
 * Graph degree and search breadth: the recall/latency trade-off, measured by the benchmark
 * (recall@10 ≥ 0.99 against exact search). A high degree keeps the graph navigable when many
 * memories repeat the same sentence (identical vectors crowd a low-degree node's links).
 */
const EXPANSION_SEARCH = 256;
const EXPANSION_ADD = 128;
const CONNECTIVITY = 32;

interface CubeIndex {
  index: InstanceType<typeof usearchModule.Index>;
  /** Every memory row up to this one is in the index (rows are appended with growing rowids). */
  maxRowid: number;
  /** Keys removed by this process, still counted by the index until it is rebuilt. */
  removed: number;
  /** The cube's recovery mark when the index was built (see `RECOVERED`): a later recovery makes it stale. */
  recovered: string | null;
}

interface SavedMeta {
  cubeId: string;
  identity: string;
  maxRowid: number;
  /** Keys in the saved index: a file and meta saved by two different processes do not match. */
  size?: number;
  recovered?: string | null;
}

/** An indexed row: its rowid (the index key) and its compact vector. */
const indexedRow = rowOf("memories", { rowid: number, vector_q: bytes });
/** The `.json` file saved beside an index. */
const savedMeta = rowOf("saved index", { cubeId: text, identity: text, maxRowid: number, size: nullable(number), recovered: nullable(text) });
const decodeMark = valueOf("meta", text);

/**
 * The `meta` key of a cube's recovery mark. Recovered rows (a soft delete undone) are older than
 * an index built since they were set aside, so no process's catch-up would take them: the recovery
 * writes a new mark, and every process rebuilds an index whose mark differs.
 */
export const recoveredKey = (cubeId: string) => `recovered:${cubeId}`;

export interface Neighbour {
  rowid: number;
  distance: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Approximate nearest-neighbour indexes (HNSW, usearch, int8), one per large cube, kept in memory
 * and derived from the memory rows: SQLite stays the truth. Rows added by any process are caught up
 * before each search (rowids only grow); rows deleted by another process are dropped when results
 * are joined with the memory table. Saved to files on close and loaded on first use, so a restart
 * does not rebuild them; a missing or stale file is rebuilt in the background while exact search
 * answers.
 */
export class VectorIndexes {
  private readonly cubes = new Map<string, CubeIndex>();
  private readonly building = new Set<string>();
  /** Drops per cube: a build begun before a drop (its rows read before it) is not kept. */
  private readonly drops = new Map<string, number>();

  constructor(
    private readonly db: Database.Database,
    /** A statement prepared once per connection (the connection's cache): the reads every search makes. */
    private readonly read: (sql: string) => Database.Statement,
    /** Folder for saved indexes; undefined keeps them in memory only. */
    private readonly folder: string | undefined,
    private readonly identity: () => { name: string; dimension: number } | undefined,
  ) {}

  private identityKey(): string | undefined {
    const identity = this.identity();
    return identity ? `${identity.name}:${identity.dimension}` : undefined;
  }

  private fileOf(cubeId: string): string | undefined {
    if (!this.folder) return undefined;
    return path.join(this.folder, createHash("sha256").update(cubeId).digest("hex").slice(0, 32));
  }

  /** Nearest rows of a cube, or undefined when the cube has no index (yet): search exactly then. */
  nearest(cubeId: string, vector: Float32Array, limit: number): Neighbour[] | undefined {
    let entry = this.cubes.get(cubeId) ?? this.loadSaved(cubeId);
    if (entry && entry.recovered !== this.recoveredMark(cubeId)) {
      this.cubes.delete(cubeId);
      entry = undefined;
    }
    if (!entry) {
      if (this.isLarge(cubeId)) void this.build(cubeId);
      return undefined;
    }
    this.catchUp(cubeId, entry);
    const size = entry.index.size();
    if (size === 0) return [];
    const matches = entry.index.search(vector, Math.min(limit, size), 0);
    const neighbours: Neighbour[] = [];
    matches.keys.forEach((key, position) => neighbours.push({ rowid: Number(key), distance: matches.distances[position] as number }));
    return neighbours;
  }

  private recoveredMark(cubeId: string): string | null {
    const value = this.read("SELECT value FROM meta WHERE key = ?").pluck().get(recoveredKey(cubeId));
    return value === undefined ? null : decodeMark(value);
  }

  /** After a write: starts building the cube's index in the background once it is large enough. */
  prepare(cubeId: string): void {
    if (this.building.has(cubeId)) return;
    const entry = this.cubes.get(cubeId);
    // An index that exists takes the new rows now, a step at a time, rather than all at once on
    // the next search.
    if (entry) void this.fill(cubeId, entry);
    else if (!this.loadSaved(cubeId) && this.isLarge(cubeId)) void this.build(cubeId);
  }

  /** A row left the cube (deleted or archived): forget it here too. */
  remove(cubeId: string, rowid: number): void {
    const entry = this.cubes.get(cubeId);
    if (!entry || !entry.index.contains(BigInt(rowid))) return;
    entry.index.remove(BigInt(rowid));
    entry.removed += 1;
  }

  /** Drops a cube's index (the cube was deleted, or rows older than the index came back: it is rebuilt with them). */
  drop(cubeId: string): void {
    this.cubes.delete(cubeId);
    this.drops.set(cubeId, (this.drops.get(cubeId) ?? 0) + 1);
    const file = this.fileOf(cubeId);
    if (file) for (const suffix of [".usearch", ".json"]) rmSync(file + suffix, { force: true });
  }

  /** Drops every index (the vectors were reset for another embedder). */
  dropAll(): void {
    this.cubes.clear();
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
  }

  /** Saves every index with the last row it holds, so the next start can load instead of rebuild. */
  saveAll(): void {
    const identity = this.identityKey();
    if (!this.folder || !identity) return;
    mkdirSync(this.folder, { recursive: true });
    const exists = this.db.prepare("SELECT 1 FROM cubes WHERE id = ?");
    for (const [cubeId, entry] of this.cubes) {
      const file = this.fileOf(cubeId) as string;
      // Deleted (by this process or another one sharing the file): no vector of it may stay on disk.
      if (exists.get(cubeId) === undefined) {
        for (const suffix of [".usearch", ".json"]) rmSync(file + suffix, { force: true });
        continue;
      }
      // Several processes may save the same cube: each file is written aside, then renamed into place.
      const own = `.${process.pid}.tmp`;
      entry.index.save(`${file}.usearch${own}`);
      const meta: SavedMeta = { cubeId, identity, maxRowid: entry.maxRowid, size: entry.index.size(), recovered: entry.recovered };
      writeFileSync(`${file}.json${own}`, JSON.stringify(meta));
      renameSync(`${file}.usearch${own}`, `${file}.usearch`);
      renameSync(`${file}.json${own}`, `${file}.json`);
    }
  }

  private isLarge(cubeId: string): boolean {
    return (
      this.db
        .prepare("SELECT 1 FROM memories WHERE cube_id = ? AND vector_q IS NOT NULL AND status = 'activated' LIMIT 1 OFFSET ?")
        .get(cubeId, ANN_MIN_VECTORS - 1) !== undefined
    );
  }

  private createIndex(): InstanceType<typeof usearchModule.Index> {
    const identity = this.identity();
    if (!identity) throw new Error("no embedder recorded: vectors cannot be indexed");
    return new usearch.Index({
      dimensions: identity.dimension,
      metric: usearch.MetricKind.Cos,
      quantization: usearch.ScalarKind.I8,
      connectivity: CONNECTIVITY,
      expansion_add: EXPANSION_ADD,
      expansion_search: EXPANSION_SEARCH,
      multi: false,
    });
  }

  private loadSaved(cubeId: string): CubeIndex | undefined {
    const file = this.fileOf(cubeId);
    if (!file || !existsSync(`${file}.json`) || !existsSync(`${file}.usearch`)) return undefined;
    try {
      const meta = savedMeta(JSON.parse(readFileSync(`${file}.json`, "utf8")));
      if (meta.cubeId !== cubeId || meta.identity !== this.identityKey()) return undefined;
      const index = this.createIndex();
      index.load(`${file}.usearch`);
      if (meta.size !== null && index.size() !== meta.size) return undefined;
      if (meta.recovered !== this.recoveredMark(cubeId)) return undefined;
      const entry = { index, maxRowid: meta.maxRowid, removed: 0, recovered: meta.recovered };
      this.cubes.set(cubeId, entry);
      return entry;
    } catch {
      return undefined; // a damaged file is rebuilt
    }
  }

  /** Adds the cube's rows newer than the index (written by this process or another). */
  private catchUp(cubeId: string, entry: CubeIndex): void {
    const rows = this.read(
      `SELECT rowid, vector_q FROM memories
         WHERE cube_id = ? AND rowid > ? AND vector_q IS NOT NULL AND status = 'activated' ORDER BY rowid`,
    )
      .all(cubeId, entry.maxRowid)
      .map(indexedRow);
    this.addRows(entry, rows);
  }

  private addRows(entry: CubeIndex, rows: readonly { rowid: number; vector_q: Buffer }[]): void {
    if (rows.length === 0) return;
    const identity = this.identity();
    const dimension = identity?.dimension ?? 0;
    const keys = new BigUint64Array(rows.length);
    const vectors = new Float32Array(rows.length * dimension);
    rows.forEach((row, position) => {
      keys[position] = BigInt(row.rowid);
      vectors.set(dequantize(row.vector_q), position * dimension);
    });
    entry.index.add(keys, vectors, 0);
    entry.maxRowid = Math.max(entry.maxRowid, rows[rows.length - 1]?.rowid ?? 0);
  }

  /** Builds a cube's index a step at a time, so that requests keep being served meanwhile. */
  private async build(cubeId: string): Promise<void> {
    if (this.building.has(cubeId)) return;
    const drops = this.drops.get(cubeId) ?? 0;
    const entry: CubeIndex = { index: this.createIndex(), maxRowid: 0, removed: 0, recovered: this.recoveredMark(cubeId) };
    await this.fill(cubeId, entry);
    if (this.db.open && !this.cubes.has(cubeId) && (this.drops.get(cubeId) ?? 0) === drops) this.cubes.set(cubeId, entry);
  }

  /** Adds the cube's rows newer than the index, a step at a time, so requests keep being served. */
  private async fill(cubeId: string, entry: CubeIndex): Promise<void> {
    if (this.building.has(cubeId)) return;
    this.building.add(cubeId);
    try {
      const page = this.db.prepare(
        `SELECT rowid, vector_q FROM memories
         WHERE cube_id = ? AND rowid > ? AND vector_q IS NOT NULL AND status = 'activated' ORDER BY rowid LIMIT ?`,
      );
      for (;;) {
        if (!this.db.open) return;
        const rows = page.all(cubeId, entry.maxRowid, BUILD_STEP).map(indexedRow);
        if (rows.length === 0) break;
        this.addRows(entry, rows);
        await yieldToEventLoop();
      }
    } finally {
      this.building.delete(cubeId);
    }
  }

  /** Resolves when no index is being built (for tests and benchmarks). */
  async settled(): Promise<void> {
    while (this.building.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
