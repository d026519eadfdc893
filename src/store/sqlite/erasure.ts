import type { UserErasure } from "../store.js";
import type { ErasureMethods } from "../core/composed-store.js";
import { eraseUser, forgetMemories, type ErasurePrimitives } from "../core/erasure.js";
import { nullable, number, recordOf, text } from "../core/decode.js";
import { runSync } from "../core/script.js";
import { BOUND_LIST, boundList } from "./bound-list.js";
import { decodeCount, decodeId, decodeRowid, type SqliteConnection } from "./connection.js";
import { dropUnusedInfos, dropUnusedTagSets, removeIndexEntries } from "./memory-rows.js";
import { recoveredKey } from "./vector-index.js";

const removedRow = recordOf("memories", { rowid: ["rowid", number], infoId: ["info_id", nullable(number)], tagSetId: ["tag_set_id", nullable(number)] });
const writtenMemory = recordOf("memories", { cubeId: ["cube_id", text], id: ["id", text] });

/**
 * The erasure primitives on SQLite, row by row (an IMMEDIATE transaction already holds the whole
 * file, so nothing needs locking). Lists of ids are bound as one JSON array (bound-list.ts).
 */
class SqliteErasurePrimitives implements ErasurePrimitives {
  constructor(private readonly conn: SqliteConnection) {}

  replacedBy(cubeId: string, memoryIds: readonly string[]): string[] {
    return this.conn.db
      .prepare(
        `SELECT DISTINCT h.memory_id FROM memory_history h JOIN memories m ON m.id = h.memory_id
         WHERE h.replaced_by IN ${BOUND_LIST} AND m.cube_id = ? AND m.status = 'archived'`,
      )
      .pluck()
      .all(boundList(memoryIds), cubeId)
      .map(decodeId);
  }

  lockMemories(cubeId: string, memoryIds: readonly string[]): string[] {
    const find = this.conn.db.prepare("SELECT id FROM memories WHERE id = ? AND cube_id = ?").pluck();
    return memoryIds.filter((memoryId) => find.get(memoryId, cubeId) !== undefined);
  }

  citedMessages(memoryIds: readonly string[]): string[] {
    return this.conn.db
      .prepare(
        `SELECT DISTINCT s.message_id FROM memory_sources s JOIN memories m ON m.rowid = s.memory_rowid
         WHERE m.id IN ${BOUND_LIST}`,
      )
      .pluck()
      .all(boundList(memoryIds))
      .map(decodeId);
  }

  removeMemories(cubeId: string, memoryIds: readonly string[]): number {
    const find = this.conn.db.prepare("SELECT rowid, info_id, tag_set_id FROM memories WHERE id = ? AND cube_id = ?");
    const infoIds: number[] = [];
    const tagSetIds: number[] = [];
    let rows = 0;
    for (const memoryId of memoryIds) {
      const found = find.get(memoryId, cubeId);
      if (found === undefined) continue;
      const { rowid, infoId, tagSetId } = removedRow(found);
      if (infoId !== null) infoIds.push(infoId);
      if (tagSetId !== null) tagSetIds.push(tagSetId);
      removeIndexEntries(this.conn, cubeId, [rowid]);
      this.conn.db.prepare("DELETE FROM memories WHERE rowid = ?").run(rowid);
      this.conn.db.prepare("DELETE FROM memory_history WHERE memory_id = ?").run(memoryId);
      rows += 1;
    }
    dropUnusedInfos(this.conn, infoIds);
    dropUnusedTagSets(this.conn, tagSetIds);
    return rows;
  }

  forgetUncited(cubeId: string, messageIds: readonly string[]): number {
    const stillCited = this.conn.db.prepare(
      `SELECT 1 FROM memory_sources s JOIN memories m ON m.rowid = s.memory_rowid
       WHERE s.cube_id = ? AND s.message_id = ? AND m.status IN ('activated', 'deleted') LIMIT 1`,
    );
    const forget = this.conn.db.prepare("DELETE FROM messages WHERE cube_id = ? AND message_id = ?");
    let messages = 0;
    for (const messageId of messageIds) {
      if (stillCited.get(cubeId, messageId) === undefined) messages += forget.run(cubeId, messageId).changes;
    }
    return messages;
  }

  ownedCubes(userId: string): string[] {
    return this.conn.db.prepare("SELECT id FROM cubes WHERE owner_id = ? ORDER BY id").pluck().all(userId).map(decodeId);
  }

  contentsOf(cubeIds: readonly string[]): { memories: number; messages: number } {
    const countIn = (table: string, cubeId: string) => decodeCount(this.conn.db.prepare(`SELECT count(*) FROM ${table} WHERE cube_id = ?`).pluck().get(cubeId));
    let memories = 0;
    let messages = 0;
    for (const cubeId of cubeIds) {
      memories += countIn("memories", cubeId);
      messages += countIn("messages", cubeId);
    }
    return { memories, messages };
  }

  dropCubes(cubeIds: readonly string[]): number {
    const { db } = this.conn;
    let jobs = 0;
    for (const cubeId of cubeIds) {
      const rowids = db
        .prepare("SELECT rowid FROM memories WHERE cube_id = ?")
        .all(cubeId)
        .map((row) => decodeRowid(row).rowid);
      removeIndexEntries(this.conn, cubeId, rowids);
      db.prepare("DELETE FROM memory_history WHERE memory_id IN (SELECT id FROM memories WHERE cube_id = ?)").run(cubeId);
      jobs += db.prepare("DELETE FROM jobs WHERE cube_id = ?").run(cubeId).changes;
      // Messages, memories (with their sources) and the shares of the cube go with it; so does its
      // vector index's recovery mark (a cube id may be a user's id).
      db.prepare("DELETE FROM cubes WHERE id = ?").run(cubeId);
      db.prepare("DELETE FROM meta WHERE key = ?").run(recoveredKey(cubeId));
    }
    return jobs;
  }

  memoriesWrittenBy(userId: string): { cubeId: string; id: string }[] {
    return this.conn.db.prepare("SELECT cube_id, id FROM memories WHERE user_id = ? ORDER BY cube_id, rowid").all(userId).map(writtenMemory);
  }

  dropUserRows(userId: string): { jobs: number; shares: number; user: boolean } {
    const { db } = this.conn;
    const jobs = db.prepare("DELETE FROM jobs WHERE user_id = ?").run(userId).changes;
    const shares = db.prepare("DELETE FROM cube_access WHERE user_id = ?").run(userId).changes;
    db.prepare("DELETE FROM chat_token_usage WHERE user_id = ?").run(userId);
    const user = db.prepare("DELETE FROM users WHERE id = ?").run(userId).changes === 1;
    return { jobs, shares, user };
  }
}

/** Deleting cubes, users and memories. */
export class SqliteErasure implements ErasureMethods {
  private readonly tx: SqliteErasurePrimitives;

  constructor(private readonly conn: SqliteConnection) {
    this.tx = new SqliteErasurePrimitives(conn);
  }

  async deleteCube(cubeId: string): Promise<void> {
    this.conn.write(() => this.tx.dropCubes([cubeId]));
    this.conn.ann.drop(cubeId);
  }

  async deleteMemories(cubeId: string, memoryIds: readonly string[]): Promise<number> {
    if (memoryIds.length === 0) return 0;
    return this.conn.write(() => runSync(forgetMemories(this.tx, cubeId, memoryIds)).deleted);
  }

  async deleteUser(userId: string): Promise<UserErasure> {
    const { erasure, ownedCubes } = this.conn.write(() => {
      const erased = runSync(eraseUser(this.tx, userId));
      // A contentless FTS5 index keeps deleted terms in its segments until they are merged: merge
      // them all now, so that no word of the user's stays in the file (it rewrites the keyword index).
      if (erased.erasure.memories > 0) this.conn.db.prepare("INSERT INTO memory_words (memory_words) VALUES ('optimize')").run();
      return erased;
    });
    for (const cubeId of ownedCubes) this.conn.ann.drop(cubeId);
    return erasure;
  }
}
