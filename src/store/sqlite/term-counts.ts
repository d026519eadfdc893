import type Database from "better-sqlite3";
import { number, rowOf, text } from "../core/decode.js";
import { BOUND_LIST, boundList } from "./bound-list.js";

const termRow = rowOf("memory_word_counts", { term: text, doc: number });

/** Beyond this many remembered terms the counts start over (a few hundred KB at most). */
const MAX_TERMS = 20_000;

/**
 * Per-cube document counts of keyword terms (FTS5's vocabulary), remembered while the database is
 * unchanged. fts5vocab counts a term by walking its whole posting list, so a cube's size (its tag,
 * in every one of its documents) costs about 0.25 ms at 20,000 memories, and a search asked for it
 * up to four times. The counts are exact: they are forgotten whenever this connection writes
 * (`total_changes()`) or another one commits (`PRAGMA data_version`).
 */
export class TermCounts {
  private readonly counts = new Map<string, number>();
  private epoch = "";
  private readonly dataVersion: Database.Statement;
  private readonly totalChanges: Database.Statement;
  private readonly lookup: Database.Statement;

  constructor(db: Database.Database) {
    this.dataVersion = db.prepare("PRAGMA data_version").pluck();
    this.totalChanges = db.prepare("SELECT total_changes()").pluck();
    this.lookup = db.prepare(`SELECT term, doc FROM memory_word_counts WHERE term IN ${BOUND_LIST}`);
  }

  /** Each term's document count (0 for a term no document holds). */
  of(terms: readonly string[]): Map<string, number> {
    const epoch = `${number(this.dataVersion.get())}:${number(this.totalChanges.get())}`;
    if (epoch !== this.epoch || this.counts.size > MAX_TERMS) {
      this.counts.clear();
      this.epoch = epoch;
    }
    const missing = [...new Set(terms.filter((term) => !this.counts.has(term)))];
    if (missing.length > 0) {
      const found = new Map(
        this.lookup
          .all(boundList(missing))
          .map((row) => termRow(row))
          .map((row) => [row.term, row.doc] as const),
      );
      for (const term of missing) this.counts.set(term, found.get(term) ?? 0);
    }
    return new Map(terms.map((term) => [term, this.counts.get(term) ?? 0]));
  }
}
