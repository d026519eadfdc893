import type { UserErasure } from "../store.js";
import type { ErasureMethods } from "../core/composed-store.js";
import { eraseUser, forgetMemories, type ErasurePrimitives } from "../core/erasure.js";
import { nullable, number, recordOf, rowOf, text } from "../core/decode.js";
import { runAsync } from "../core/script.js";
import { decodeIdRow, type PostgresConnection } from "./connection.js";
import type { Queryable } from "./database.js";
import { dropUnusedShared } from "./memory-rows.js";

const writtenMemory = recordOf("memories", { cubeId: ["cube_id", text], id: ["id", text] });
const messageIdRow = rowOf("memory_sources", { message_id: text });
const removedRow = rowOf("memories", { info_id: nullable(text), tag_set_id: nullable(text) });
const contentsRow = rowOf("cubes", { memories: number, messages: number });

/**
 * The erasure primitives on PostgreSQL, set by set, locking the rows they will remove (in a fixed
 * order, so that erasures and writes never deadlock). Sources, vectors and words go with their
 * memory rows; messages, memories and shares with their cube.
 */
class PostgresErasurePrimitives implements ErasurePrimitives {
  constructor(private readonly db: Queryable) {}

  async replacedBy(cubeId: string, memoryIds: readonly string[]): Promise<string[]> {
    const { rows } = await this.db.query(
      `SELECT DISTINCT h.memory_id AS id FROM memory_history h JOIN memories m ON m.id = h.memory_id
       WHERE h.replaced_by = ANY($1::text[]) AND m.cube_id = $2 AND m.status = 'archived'`,
      [[...memoryIds], cubeId],
    );
    return rows.map((row) => decodeIdRow(row).id);
  }

  async lockMemories(cubeId: string, memoryIds: readonly string[]): Promise<string[]> {
    const { rows } = await this.db.query("SELECT id FROM memories WHERE id = ANY($1::text[]) AND cube_id = $2 ORDER BY id FOR UPDATE", [
      [...memoryIds],
      cubeId,
    ]);
    return rows.map((row) => decodeIdRow(row).id);
  }

  async citedMessages(memoryIds: readonly string[]): Promise<string[]> {
    const { rows } = await this.db.query("SELECT DISTINCT message_id FROM memory_sources WHERE memory_id = ANY($1::text[])", [[...memoryIds]]);
    return rows.map((row) => messageIdRow(row).message_id);
  }

  async removeMemories(cubeId: string, memoryIds: readonly string[]): Promise<number> {
    const { rows, rowCount } = await this.db.query(
      "DELETE FROM memories WHERE id = ANY($1::text[]) AND cube_id = $2 RETURNING info_id::text AS info_id, tag_set_id::text AS tag_set_id",
      [[...memoryIds], cubeId],
    );
    const removed = rows.map(removedRow);
    await dropUnusedShared(
      this.db,
      "info",
      removed.map((row) => row.info_id),
    );
    await dropUnusedShared(
      this.db,
      "tags",
      removed.map((row) => row.tag_set_id),
    );
    await this.db.query("DELETE FROM memory_history WHERE memory_id = ANY($1::text[])", [[...memoryIds]]);
    return rowCount ?? 0;
  }

  async forgetUncited(cubeId: string, messageIds: readonly string[]): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM messages msg WHERE msg.cube_id = $1 AND msg.message_id = ANY($2::text[])
         AND NOT EXISTS (
           SELECT 1 FROM memory_sources s JOIN memories m ON m.id = s.memory_id
           WHERE s.cube_id = msg.cube_id AND s.message_id = msg.message_id AND m.status IN ('activated', 'deleted'))`,
      [cubeId, [...messageIds]],
    );
    return rowCount ?? 0;
  }

  async ownedCubes(userId: string): Promise<string[]> {
    const { rows } = await this.db.query("SELECT id FROM cubes WHERE owner_id = $1 ORDER BY id FOR UPDATE", [userId]);
    return rows.map((row) => decodeIdRow(row).id);
  }

  async contentsOf(cubeIds: readonly string[]): Promise<{ memories: number; messages: number }> {
    const { rows } = await this.db.query(
      `SELECT (SELECT count(*) FROM memories WHERE cube_id = ANY($1::text[]))::int AS memories,
              (SELECT count(*) FROM messages WHERE cube_id = ANY($1::text[]))::int AS messages`,
      [[...cubeIds]],
    );
    return contentsRow(rows[0]);
  }

  async dropCubes(cubeIds: readonly string[]): Promise<number> {
    // Locks the cubes first, so that writes to them wait for the delete (or the delete for them).
    await this.db.query("SELECT 1 FROM cubes WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE", [[...cubeIds]]);
    await this.db.query("DELETE FROM memory_history WHERE memory_id IN (SELECT id FROM memories WHERE cube_id = ANY($1::text[]))", [[...cubeIds]]);
    const { rowCount } = await this.db.query("DELETE FROM jobs WHERE cube_id = ANY($1::text[])", [[...cubeIds]]);
    await this.db.query("DELETE FROM cubes WHERE id = ANY($1::text[])", [[...cubeIds]]);
    return rowCount ?? 0;
  }

  async memoriesWrittenBy(userId: string): Promise<{ cubeId: string; id: string }[]> {
    const { rows } = await this.db.query("SELECT cube_id, id FROM memories WHERE user_id = $1 ORDER BY cube_id, id FOR UPDATE", [userId]);
    return rows.map(writtenMemory);
  }

  async dropUserRows(userId: string): Promise<{ jobs: number; shares: number; user: boolean }> {
    const jobs = (await this.db.query("DELETE FROM jobs WHERE user_id = $1", [userId])).rowCount ?? 0;
    const shares = (await this.db.query("DELETE FROM cube_access WHERE user_id = $1", [userId])).rowCount ?? 0;
    await this.db.query("DELETE FROM chat_token_usage WHERE user_id = $1", [userId]);
    const user = (await this.db.query("DELETE FROM users WHERE id = $1", [userId])).rowCount === 1;
    return { jobs, shares, user };
  }
}

/** Deleting cubes, users and memories. */
export class PostgresErasure implements ErasureMethods {
  constructor(private readonly conn: PostgresConnection) {}

  async deleteCube(cubeId: string): Promise<void> {
    await this.conn.db.transaction((client) => new PostgresErasurePrimitives(client).dropCubes([cubeId]));
  }

  async deleteMemories(cubeId: string, memoryIds: readonly string[]): Promise<number> {
    if (memoryIds.length === 0) return 0;
    return this.conn.db.transaction(async (client) => (await runAsync(forgetMemories(new PostgresErasurePrimitives(client), cubeId, memoryIds))).deleted);
  }

  async deleteUser(userId: string): Promise<UserErasure> {
    return this.conn.db.transaction(async (client) => (await runAsync(eraseUser(new PostgresErasurePrimitives(client), userId))).erasure);
  }
}
