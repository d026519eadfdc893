/**
 * SQLite backup and restore. A backup is a single, consistent SQLite file made with SQLite's online
 * backup API while the server keeps serving (WAL: the copy never blocks writers). A restore puts one
 * into a data folder that holds no memories (or, with `force`, replaces what it holds).
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../store/sqlite/migrations.js";

export const DATABASE_FILE = "memcube.db";

export interface BackupSummary {
  file: string;
  bytes: number;
  cubes: number;
  memories: number;
}

/** Checks a memcube SQLite file: intact, a schema this build can open, and what it holds. */
export function inspectBackup(file: string): Omit<BackupSummary, "bytes"> & { schema: number } {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new Error(`${file}: cannot open (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    let check: unknown;
    try {
      check = db.pragma("quick_check", { simple: true });
    } catch {
      throw new Error(`${file}: not an SQLite database`);
    }
    if (check !== "ok") throw new Error(`${file}: damaged (${String(check)})`);
    const schema = Number(db.pragma("user_version", { simple: true }));
    const hasMemories = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'memories'").get() !== undefined;
    if (schema < 1 || !hasMemories) throw new Error(`${file}: not a memcube store`);
    if (schema > MIGRATIONS.length) throw new Error(`${file}: written by a newer memcube (schema ${schema}, this one knows ${MIGRATIONS.length})`);
    const cubes = db.prepare("SELECT count(*) FROM cubes").pluck().get() as number;
    const memories = db.prepare("SELECT count(*) FROM memories WHERE status = 'activated'").pluck().get() as number;
    return { file, schema, cubes, memories };
  } finally {
    db.close();
  }
}

/**
 * Copies the store in `dataDir` to `target` (which must not exist), consistent as of one moment, while
 * the server may be writing. The copy is written next to the target and renamed once checked.
 */
export async function backupSqlite(dataDir: string, target: string): Promise<BackupSummary> {
  const source = path.join(dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new Error(`no store at ${source} (MEMCUBE_DATA_DIR)`);
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new file`);
  const partial = `${target}.partial-${process.pid}`;
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    // All pages in one step: a step reads one snapshot, so the copy is consistent even while the
    // server writes (smaller steps would restart whenever another connection commits).
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  try {
    singleFile(partial);
    const summary = inspectBackup(partial);
    renameSync(partial, target);
    return { file: target, bytes: statSync(target).size, cubes: summary.cubes, memories: summary.memories };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/** A backup is one self-contained file: rollback journal, not WAL (the server turns WAL back on). */
function singleFile(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
  } finally {
    db.close();
  }
}

/** Whether the store in the folder holds any cube (an empty, freshly created file does not count). */
function holdsData(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasCubes = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cubes'").get() !== undefined;
    return hasCubes && db.prepare("SELECT 1 FROM cubes LIMIT 1").get() !== undefined;
  } finally {
    db.close();
  }
}

/**
 * Restores a backup into `dataDir` (the server stopped). Refuses a folder whose store holds data
 * unless `force`. The vector index files are removed: the server rebuilds them from the store.
 */
/**
 * Replacing a store under a running server would lose what it writes afterwards. Leaving WAL mode
 * needs the only connection to the file, so it fails exactly when another process has it open.
 */
function refuseIfInUse(target: string): void {
  if (!existsSync(target)) return;
  const db = new Database(target, { timeout: 0 });
  try {
    db.pragma("journal_mode = DELETE");
  } catch (error) {
    if ((error as { code?: string }).code === "SQLITE_BUSY") {
      throw new Error(`${target} is in use (by a running memcube server?): stop it before restoring`);
    }
    throw error;
  } finally {
    db.close();
  }
}

export async function restoreSqlite(backup: string, dataDir: string, options: { force?: boolean } = {}): Promise<BackupSummary> {
  const summary = inspectBackup(backup);
  const target = path.join(dataDir, DATABASE_FILE);
  if (!options.force && holdsData(target)) {
    throw new Error(`${target} already holds memories; restore into an empty MEMCUBE_DATA_DIR, or pass --force to replace it`);
  }
  refuseIfInUse(target);
  mkdirSync(dataDir, { recursive: true });
  const partial = `${target}.restore-${process.pid}`;
  const source = new Database(backup, { readonly: true, fileMustExist: true });
  try {
    await source.backup(partial, { progress: () => 0x7fffffff });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  for (const stale of [`${target}-wal`, `${target}-shm`, path.join(dataDir, "ann")]) rmSync(stale, { recursive: true, force: true });
  renameSync(partial, target);
  return { file: target, bytes: statSync(target).size, cubes: summary.cubes, memories: summary.memories };
}
