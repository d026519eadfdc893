/**
 * `memcube migrate --from sqlite:<file> --to postgres:<url>`: copies a SQLite store into PostgreSQL.
 * Users, cubes, shares, messages, memories (with their sources, version history, words and vectors),
 * jobs and the users' chat token counts, in batches, each batch one transaction. Rows already in the target (by id) are skipped,
 * so an interrupted copy is resumed by running the command again. Ends by comparing counts.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { SqliteStore } from "../sqlite/sqlite-store.js";
import { dequantize } from "../sqlite/quantize.js";
import type { EmbedderIdentity } from "../store.js";
import { bytes, jsonObject, jsonText, nullable, number, rowOf, stringList, text, valueOf } from "../core/decode.js";
import { identityFrom } from "../core/rows.js";
import { countOf, decodeIdRow } from "./connection.js";
import { Database as PgDatabase, type Queryable } from "./database.js";
import { PostgresStore } from "./postgres-store.js";

export interface CopyProgress {
  /** Called as rows go: the table, rows done and rows in all. */
  (table: string, done: number, total: number): void;
}

/** What a copied memory's keyword text is made from (the SQLite index keeps only its terms, folded). */
export interface CopiedMemory {
  text: string;
  key: string;
  tags: string[];
  /** Where it came from (`conversation`, `file`, …). */
  source: string;
  info: Record<string, unknown>;
  /** The texts of the messages it was made from, in order. */
  sourceTexts: string[];
}

export interface CopyOptions {
  /**
   * The keyword-index text of a memory, as the write paths make it: given by the caller, since
   * how memories are indexed is the memory layer's knowledge, not the store's.
   */
  indexText: (memory: CopiedMemory) => string;
  progress?: CopyProgress;
}

export interface CopyReport {
  /** Per table: rows in the source and in the target afterwards. */
  counts: { table: string; source: number; target: number }[];
  embedder: EmbedderIdentity | undefined;
}

const BATCH = 500;

type Row = Record<string, unknown>;

const sourceCount = valueOf("count", number);
const rowidOf = rowOf("source row", { rowid: number });
/** The columns of a source memory the copy reads (the others pass through as they are). */
const memoryParts = rowOf("memories", {
  id: text,
  rowid: number,
  text,
  key: text,
  source: text,
  tags: jsonText(stringList),
  info: jsonText(jsonObject),
  vector_q: nullable(bytes),
});
const jobParts = rowOf("jobs", { status: text, payload: jsonText(jsonObject), result: nullable(jsonText(jsonObject)) });
const decodeVector = valueOf("memory_vectors", nullable(bytes));
const decodeText = valueOf("messages", text);

/** A source row: any columns, and its rowid (the copy's cursor). */
function sourceRow(row: unknown): Row & { rowid: number } {
  return { ...jsonObject(row), rowid: rowidOf(row).rowid };
}

/** Inserts rows given as JSON objects, column by column, skipping those whose key the target holds. */
async function insertJson(db: Queryable, table: string, columns: Record<string, string>, rows: Row[], conflict: string): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const definition = names.map((name) => `${name} ${columns[name]}`).join(", ");
  await db.query(
    `INSERT INTO ${table} (${names.join(", ")}) SELECT ${names.map((name) => `x.${name}`).join(", ")}
     FROM json_to_recordset($1::json) AS x(${definition}) ON CONFLICT ${conflict} DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

export async function copySqliteToPostgres(file: string, url: string, options: CopyOptions): Promise<CopyReport> {
  const { indexText, progress = () => {} } = options;
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  // Opening the store brings an older file's schema up to date, as the server would.
  await new SqliteStore(file).close();
  const source = new Database(file, { readonly: true, fileMustExist: true });
  sqliteVec.load(source);
  const store = await PostgresStore.open(url);
  const target = await PgDatabase.open(url, { maxConnections: 2 });
  try {
    const identityValue = source.prepare("SELECT value FROM meta WHERE key = 'embedder'").pluck().get();
    const identity = identityValue === undefined ? undefined : identityFrom(identityValue);
    if (identity) {
      const recorded = await store.embedderIdentity();
      if (recorded && (recorded.name !== identity.name || recorded.dimension !== identity.dimension)) {
        throw new Error(
          `the target's vectors were made by ${recorded.name} (${recorded.dimension} dimensions), the source's by ${identity.name} ` +
            `(${identity.dimension}): copy into an empty database`,
        );
      }
      // Creates the vector column for the dimension; keeps it (and what an earlier run copied) when it is there.
      await store.resetVectors(identity);
    }
    const hasVectorTable = source.prepare("SELECT 1 FROM sqlite_master WHERE name = 'memory_vectors'").get() !== undefined;
    const count = (sql: string) => sourceCount(source.prepare(sql).pluck().get());

    /** Copies a table in rowid order, BATCH rows per transaction. */
    const copy = async (table: string, total: number, select: string, write: (db: Queryable, rows: Row[]) => Promise<void>) => {
      let done = 0;
      let after = -1;
      const statement = source.prepare(select);
      progress(table, 0, total);
      for (;;) {
        const rows = statement.all(after, BATCH).map(sourceRow);
        const last = rows[rows.length - 1];
        if (last === undefined) break;
        await target.transaction((client) => write(client, rows));
        after = last.rowid;
        done += rows.length;
        progress(table, done, total);
      }
    };

    await copy("users", count("SELECT count(*) FROM users"), "SELECT rowid, * FROM users WHERE rowid > ? ORDER BY rowid LIMIT ?", (db, rows) =>
      insertJson(db, "users", { id: "text", created_at: "text" }, rows, "(id)"),
    );
    await copy("cubes", count("SELECT count(*) FROM cubes"), "SELECT rowid, * FROM cubes WHERE rowid > ? ORDER BY rowid LIMIT ?", (db, rows) =>
      insertJson(db, "cubes", { id: "text", name: "text", owner_id: "text", created_at: "text" }, rows, "(id)"),
    );
    await copy(
      "cube_access",
      count("SELECT count(*) FROM cube_access"),
      "SELECT rowid, * FROM cube_access WHERE rowid > ? ORDER BY rowid LIMIT ?",
      (db, rows) => insertJson(db, "cube_access", { cube_id: "text", user_id: "text", access: "text" }, rows, "(cube_id, user_id)"),
    );
    await copy("messages", count("SELECT count(*) FROM messages"), "SELECT rowid, * FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?", (db, rows) =>
      insertJson(
        db,
        "messages",
        { cube_id: "text", message_id: "text", session_id: "text", role: "text", content: "text", chat_time: "text", created_at: "text" },
        rows,
        "(cube_id, message_id)",
      ),
    );

    const vectorOf = hasVectorTable ? source.prepare("SELECT embedding FROM memory_vectors WHERE rowid = ?").pluck() : undefined;
    const sourcesOf = source.prepare("SELECT cube_id, message_id, position FROM memory_sources WHERE memory_rowid = ? ORDER BY position");
    const sourceTextsOf = source
      .prepare(
        `SELECT g.content FROM memory_sources s JOIN messages g ON g.cube_id = s.cube_id AND g.message_id = s.message_id
         WHERE s.memory_rowid = ? ORDER BY s.position`,
      )
      .pluck();
    await copy(
      "memories",
      count("SELECT count(*) FROM memories"),
      // A memory's info and tags are stored once per cube (memory_infos, memory_tag_sets); they are copied with each memory
      // and stored once again there.
      `SELECT m.rowid, m.*, coalesce(i.info, '{}') AS info, coalesce(t.tags, '[]') AS tags FROM memories m
       LEFT JOIN memory_infos i ON i.id = m.info_id LEFT JOIN memory_tag_sets t ON t.id = m.tag_set_id
       WHERE m.rowid > ? ORDER BY m.rowid LIMIT ?`,
      async (db, rows) => {
        const parts = rows.map((row) => ({ row, memory: memoryParts(row) }));
        const { rows: present } = await db.query("SELECT id FROM memories WHERE id = ANY($1::text[])", [parts.map(({ memory }) => memory.id)]);
        const copied = new Set(present.map((row) => decodeIdRow(row).id));
        const fresh = parts.filter(({ memory }) => !copied.has(memory.id));
        if (fresh.length === 0) return;
        const memories = fresh.map(({ row, memory }) => {
          const full = vectorOf === undefined ? null : decodeVector(vectorOf.get(BigInt(memory.rowid)));
          const vector = full
            ? new Float32Array(full.buffer.slice(full.byteOffset, full.byteOffset + full.byteLength))
            : memory.vector_q
              ? dequantize(memory.vector_q)
              : undefined;
          const { rowid, vector_q, tags, info, info_id, tag_set_id, ...fields } = row;
          const sourceTexts = sourceTextsOf.all(rowid).map(decodeText);
          return {
            ...fields,
            tags: memory.tags,
            info: memory.info,
            keywords: indexText({ text: memory.text, key: memory.key, tags: memory.tags, source: memory.source, info: memory.info, sourceTexts }),
            embedding: identity && vector ? Array.from(vector) : null,
          };
        });
        const columns = `id text, cube_id text, user_id text, session_id text, text text, memory_type text, key text, tags jsonb,
          status text, confidence double precision, source text, background text, info jsonb, bytes bigint, chat_time text, created_at text,
          updated_at text, delete_record_id text, deleted_at text, keywords text, embedding text`;
        const digest = "encode(sha256(convert_to(x.info::text, 'UTF8')), 'hex')";
        await db.query(
          `INSERT INTO memory_infos (cube_id, digest, info, bytes)
           SELECT DISTINCT x.cube_id, ${digest}, x.info, octet_length(x.info::text)
           FROM json_to_recordset($1::json) AS x(cube_id text, info jsonb) WHERE x.info <> '{}'::jsonb
           ON CONFLICT (cube_id, digest) DO NOTHING`,
          [JSON.stringify(memories)],
        );
        const tagsDigest = "encode(sha256(convert_to(x.tags::text, 'UTF8')), 'hex')";
        await db.query(
          `INSERT INTO memory_tag_sets (cube_id, digest, tags, bytes)
           SELECT DISTINCT x.cube_id, ${tagsDigest}, x.tags, (SELECT coalesce(sum(octet_length(t)), 0) FROM jsonb_array_elements_text(x.tags) t)
           FROM json_to_recordset($1::json) AS x(cube_id text, tags jsonb) WHERE x.tags <> '[]'::jsonb
           ON CONFLICT (cube_id, digest) DO NOTHING`,
          [JSON.stringify(memories)],
        );
        await db.query(
          `INSERT INTO memories (id, cube_id, user_id, session_id, text, memory_type, key, tag_set_id, status, confidence, source, background,
             info_id, bytes, chat_time, created_at, updated_at, delete_record_id, deleted_at, words${identity ? ", embedding" : ""})
           SELECT x.id, x.cube_id, x.user_id, x.session_id, x.text, x.memory_type, x.key,
             (SELECT s.id FROM memory_tag_sets s WHERE s.cube_id = x.cube_id AND s.digest = ${tagsDigest}), x.status, x.confidence, x.source,
             x.background, (SELECT i.id FROM memory_infos i WHERE i.cube_id = x.cube_id AND i.digest = ${digest}), x.bytes, x.chat_time,
             x.created_at, x.updated_at, x.delete_record_id, x.deleted_at,
             CASE WHEN btrim(x.keywords) = '' THEN NULL ELSE to_tsvector('simple', x.keywords) END${identity ? ", x.embedding::vector" : ""}
           FROM json_to_recordset($1::json) AS x(${columns}) ON CONFLICT (id) DO NOTHING`,
          [JSON.stringify(memories)],
        );
        const sources = fresh.flatMap(({ memory }) => sourcesOf.all(memory.rowid).map((cited) => ({ memory_id: memory.id, ...jsonObject(cited) })));
        await insertJson(
          db,
          "memory_sources",
          { memory_id: "text", cube_id: "text", message_id: "text", position: "integer" },
          sources,
          "(memory_id, position)",
        );
      },
    );
    await copy(
      "memory_history",
      count("SELECT count(*) FROM memory_history"),
      "SELECT rowid, * FROM memory_history WHERE rowid > ? ORDER BY rowid LIMIT ?",
      (db, rows) =>
        insertJson(
          db,
          "memory_history",
          { memory_id: "text", version: "integer", text: "text", memory_type: "text", status: "text", replaced_by: "text", changed_at: "text", reason: "text" },
          rows,
          "(memory_id, version)",
        ),
    );
    // `rowid AS rowid`: an INTEGER PRIMARY KEY (jobs.id) would otherwise name the column after itself.
    await copy("jobs", count("SELECT count(*) FROM jobs"), "SELECT rowid AS rowid, * FROM jobs WHERE rowid > ? ORDER BY rowid LIMIT ?", (db, rows) =>
      insertJson(
        db,
        "jobs",
        {
          task_id: "text",
          kind: "text",
          cube_id: "text",
          user_id: "text",
          payload: "jsonb",
          status: "text",
          attempts: "integer",
          run_after: "text",
          last_error: "text",
          result: "jsonb",
          created_at: "text",
          updated_at: "text",
        },
        // A job running when the source stopped is queued again (its runner is gone).
        rows.map((row) => {
          const job = jobParts(row);
          return { ...row, status: job.status === "running" ? "queued" : job.status, payload: job.payload, result: job.result };
        }),
        "(task_id)",
      ),
    );

    // The users' chat token counts (MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY), so that today's budgets carry over.
    await copy(
      "chat_token_usage",
      count("SELECT count(*) FROM chat_token_usage"),
      "SELECT rowid, * FROM chat_token_usage WHERE rowid > ? ORDER BY rowid LIMIT ?",
      (db, rows) => insertJson(db, "chat_token_usage", { user_id: "text", day: "text", tokens: "bigint" }, rows, "(user_id, day)"),
    );

    // Fresh statistics, so that the planner picks the indexes from the first search on.
    await target.query("ANALYZE users, cubes, cube_access, messages, memories, memory_sources, memory_history, jobs");
    const targetCount = async (sql: string) => countOf((await target.query(sql)).rows);
    const checks: [string, string, string][] = [
      ["users", "SELECT count(*) FROM users", "SELECT count(*)::int AS n FROM users"],
      ["cubes", "SELECT count(*) FROM cubes", "SELECT count(*)::int AS n FROM cubes"],
      ["cube_access", "SELECT count(*) FROM cube_access", "SELECT count(*)::int AS n FROM cube_access"],
      ["messages", "SELECT count(*) FROM messages", "SELECT count(*)::int AS n FROM messages"],
      ["memories", "SELECT count(*) FROM memories", "SELECT count(*)::int AS n FROM memories"],
      ["memory_sources", "SELECT count(*) FROM memory_sources", "SELECT count(*)::int AS n FROM memory_sources"],
      ["memory_history", "SELECT count(*) FROM memory_history", "SELECT count(*)::int AS n FROM memory_history"],
      ["jobs", "SELECT count(*) FROM jobs", "SELECT count(*)::int AS n FROM jobs"],
      ["chat_token_usage", "SELECT count(*) FROM chat_token_usage", "SELECT count(*)::int AS n FROM chat_token_usage"],
    ];
    if (identity) {
      checks.push([
        "vectors",
        "SELECT count(*) FROM memories WHERE vector_q IS NOT NULL",
        "SELECT count(*)::int AS n FROM memories WHERE embedding IS NOT NULL",
      ]);
    }
    const counts: CopyReport["counts"] = [];
    for (const [table, sourceSql, targetSql] of checks) counts.push({ table, source: count(sourceSql), target: await targetCount(targetSql) });
    return { counts, embedder: identity };
  } finally {
    source.close();
    await target.close();
    await store.close();
  }
}
