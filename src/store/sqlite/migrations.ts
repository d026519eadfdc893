/**
 * Versioned schema. Each entry runs once, in order, inside a transaction; `user_version` records
 * how many have run. Never edit a released entry: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE users (id TEXT PRIMARY KEY, created_at TEXT NOT NULL);

  CREATE TABLE cubes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
  );

  CREATE TABLE cube_access (
    cube_id TEXT NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    access TEXT NOT NULL CHECK (access IN ('read', 'write')),
    PRIMARY KEY (cube_id, user_id)
  );

  -- The source of truth: what was said, append-only but forgettable.
  CREATE TABLE messages (
    cube_id TEXT NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    chat_time TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (cube_id, message_id)
  );
  CREATE INDEX messages_by_session ON messages (cube_id, session_id, chat_time);

  CREATE TABLE memories (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    cube_id TEXT NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    text TEXT NOT NULL,
    memory_type TEXT NOT NULL,
    key TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'activated',
    confidence REAL NOT NULL DEFAULT 1,
    source TEXT NOT NULL DEFAULT 'conversation',
    background TEXT NOT NULL DEFAULT '',
    info TEXT NOT NULL DEFAULT '{}',
    chat_time TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX memories_by_cube ON memories (cube_id, status, created_at);
  CREATE INDEX memories_by_session ON memories (cube_id, session_id, status, created_at);

  CREATE TABLE memory_sources (
    memory_rowid INTEGER NOT NULL REFERENCES memories(rowid) ON DELETE CASCADE,
    cube_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (memory_rowid, position)
  );
  CREATE INDEX memory_sources_by_message ON memory_sources (cube_id, message_id);

  CREATE TABLE memory_history (
    memory_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    memory_type TEXT NOT NULL,
    status TEXT NOT NULL,
    replaced_by TEXT,
    changed_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (memory_id, version)
  );

  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    cube_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'parked')),
    attempts INTEGER NOT NULL DEFAULT 0,
    run_after TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX jobs_ready ON jobs (status, run_after);

  -- Words segmented by memcube (jieba for Chinese), tagged with their cube (see cube-terms.ts);
  -- the text lives in memories.
  CREATE VIRTUAL TABLE memory_words USING fts5(
    words, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
  );
  CREATE VIRTUAL TABLE memory_word_counts USING fts5vocab(memory_words, 'row');
  `,
  `
  -- A compact copy of each memory's vector (a float32 scale, then int16 components): read with the
  -- row for de-duplication and scoring, and the source of the approximate nearest-neighbour index.
  ALTER TABLE memories ADD COLUMN vector_q BLOB;
  CREATE INDEX memories_by_cube_rowid ON memories (cube_id);
  CREATE INDEX memories_by_type ON memories (cube_id, memory_type, status);
  `,
  // 3: the durable job queue as fine mode uses it. A claim is a lease (locked_by, locked_until)
  // renewed by heartbeats, so a job whose runner died (kill -9) is claimed again once it lapses,
  // and several processes can share the file without resetting each other's work.
  `
  ALTER TABLE jobs ADD COLUMN task_id TEXT;
  ALTER TABLE jobs ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
  ALTER TABLE jobs ADD COLUMN result TEXT;
  ALTER TABLE jobs ADD COLUMN locked_by TEXT;
  ALTER TABLE jobs ADD COLUMN locked_until TEXT;
  CREATE UNIQUE INDEX jobs_by_task ON jobs (task_id);
  CREATE INDEX jobs_by_cube ON jobs (cube_id, status, id);
  CREATE INDEX jobs_by_user ON jobs (user_id, status, id);

  -- Walking a memory's earlier versions (and deleting them with it) goes from successor to predecessor.
  CREATE INDEX memory_history_by_successor ON memory_history (replaced_by);
  `,
  // 4: chat tokens per user per UTC day (MEMCUBE_LLM_TOKENS_PER_USER_PER_DAY): in the store, so that
  // the count holds across restarts and is shared by every process on the file.
  `
  CREATE TABLE chat_token_usage (
    user_id TEXT NOT NULL,
    day TEXT NOT NULL,
    tokens INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
  );
  `,
  // 5: request-level info is stored once per cube and distinct content (memory_infos), and each
  // memory points at it, instead of a copy in every memory an add creates. The per-memory copies
  // move there (memcube_sha256 is registered on the connection by SqliteStore before migrating).
  `
  CREATE TABLE memory_infos (
    id INTEGER PRIMARY KEY,
    cube_id TEXT NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    info TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    UNIQUE (cube_id, digest)
  );
  ALTER TABLE memories ADD COLUMN info_id INTEGER;
  INSERT INTO memory_infos (cube_id, digest, info, bytes)
    SELECT cube_id, memcube_sha256(info), info, length(CAST(info AS BLOB)) FROM memories WHERE info <> '{}'
    GROUP BY cube_id, info ORDER BY min(rowid);
  UPDATE memories SET info_id = (
    SELECT i.id FROM memory_infos i WHERE i.cube_id = memories.cube_id AND i.digest = memcube_sha256(memories.info)
  ) WHERE info <> '{}';
  ALTER TABLE memories DROP COLUMN info;
  CREATE INDEX memories_by_info ON memories (info_id) WHERE info_id IS NOT NULL;
  -- What each memory row weighs in its cube's byte quota (src/store/stored-bytes.ts).
  ALTER TABLE memories ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
  UPDATE memories SET bytes = length(CAST(text AS BLOB)) + length(CAST(key AS BLOB)) + length(CAST(background AS BLOB))
    + (SELECT coalesce(sum(length(CAST(t.value AS BLOB))), 0) FROM json_each(memories.tags) t);
  `,
  // 6: request-level tags are stored once per cube and distinct list (memory_tag_sets), as info is
  // since 5, instead of a copy in every memory an add creates; a memory's bytes no longer count
  // them (the set's row does, once). The list keeps its order: the digest is of its JSON text.
  `
  CREATE TABLE memory_tag_sets (
    id INTEGER PRIMARY KEY,
    cube_id TEXT NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    tags TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    UNIQUE (cube_id, digest)
  );
  ALTER TABLE memories ADD COLUMN tag_set_id INTEGER;
  INSERT INTO memory_tag_sets (cube_id, digest, tags, bytes)
    SELECT cube_id, memcube_sha256(tags), tags,
      (SELECT coalesce(sum(length(CAST(t.value AS BLOB))), 0) FROM json_each(memories.tags) t)
    FROM memories WHERE tags <> '[]' GROUP BY cube_id, tags ORDER BY min(rowid);
  UPDATE memories SET tag_set_id = (
    SELECT s.id FROM memory_tag_sets s WHERE s.cube_id = memories.cube_id AND s.digest = memcube_sha256(memories.tags)
  ) WHERE tags <> '[]';
  ALTER TABLE memories DROP COLUMN tags;
  CREATE INDEX memories_by_tag_set ON memories (tag_set_id) WHERE tag_set_id IS NOT NULL;
  UPDATE memories SET bytes = length(CAST(text AS BLOB)) + length(CAST(key AS BLOB)) + length(CAST(background AS BLOB));
  `,
  // 7: the soft delete of delete_memory_by_record_id: a memory set aside (status 'deleted') keeps
  // its row until it is recovered or purged; the record id names the delete that set it aside, and
  // deleted_at starts its retention (MEMCUBE_SOFT_DELETE_RETENTION).
  `
  ALTER TABLE memories ADD COLUMN delete_record_id TEXT;
  ALTER TABLE memories ADD COLUMN deleted_at TEXT;
  CREATE INDEX memories_by_delete_record ON memories (cube_id, delete_record_id) WHERE delete_record_id IS NOT NULL;
  CREATE INDEX memories_soft_deleted ON memories (deleted_at) WHERE deleted_at IS NOT NULL;
  `,
];
