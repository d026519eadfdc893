/**
 * Versioned schema for PostgreSQL. Each entry runs once, in order, in the one transaction that
 * `migrate` holds under an advisory lock; `schema_migrations` records the versions applied. Never
 * edit a released entry: append a new one.
 *
 * The tables are SQLite's (src/store/sqlite/migrations.ts, as of its schema 3), with PostgreSQL
 * types: timestamps stay ISO 8601 text in the "C" collation so that they compare and sort exactly as
 * on SQLite; tags and info are jsonb; the keyword index is a tsvector column; the vector column and
 * its HNSW index are added by `resetVectors`, once the embedder (and so the dimension) is known.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE users (id TEXT COLLATE "C" PRIMARY KEY, created_at TEXT COLLATE "C" NOT NULL);

  CREATE TABLE cubes (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    owner_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    created_at TEXT COLLATE "C" NOT NULL
  );

  CREATE TABLE cube_access (
    cube_id TEXT COLLATE "C" NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    access TEXT NOT NULL CHECK (access IN ('read', 'write')),
    PRIMARY KEY (cube_id, user_id)
  );

  -- The source of truth: what was said, append-only but forgettable. seq orders equal times.
  CREATE TABLE messages (
    seq BIGSERIAL NOT NULL,
    cube_id TEXT COLLATE "C" NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
    message_id TEXT COLLATE "C" NOT NULL,
    session_id TEXT COLLATE "C" NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    chat_time TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (cube_id, message_id)
  );
  CREATE INDEX messages_by_session ON messages (cube_id, session_id, chat_time);

  CREATE TABLE memories (
    seq BIGSERIAL NOT NULL UNIQUE,
    id TEXT COLLATE "C" PRIMARY KEY,
    cube_id TEXT COLLATE "C" NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
    user_id TEXT COLLATE "C" NOT NULL,
    session_id TEXT COLLATE "C" NOT NULL,
    text TEXT NOT NULL,
    memory_type TEXT COLLATE "C" NOT NULL,
    key TEXT NOT NULL DEFAULT '',
    tags JSONB NOT NULL DEFAULT '[]',
    status TEXT COLLATE "C" NOT NULL DEFAULT 'activated',
    confidence DOUBLE PRECISION NOT NULL DEFAULT 1,
    source TEXT NOT NULL DEFAULT 'conversation',
    background TEXT NOT NULL DEFAULT '',
    info JSONB NOT NULL DEFAULT '{}',
    chat_time TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    -- The segmented words (src/memory/words.ts), parsed with the 'simple' configuration.
    words TSVECTOR
  );
  CREATE INDEX memories_by_cube ON memories (cube_id, status, created_at);
  CREATE INDEX memories_by_session ON memories (cube_id, session_id, status, created_at);
  CREATE INDEX memories_by_type ON memories (cube_id, memory_type, status);
  CREATE INDEX memories_words ON memories USING gin (words) WHERE status = 'activated';

  CREATE TABLE memory_sources (
    memory_id TEXT COLLATE "C" NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
    cube_id TEXT COLLATE "C" NOT NULL,
    message_id TEXT COLLATE "C" NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (memory_id, position)
  );
  CREATE INDEX memory_sources_by_message ON memory_sources (cube_id, message_id);

  CREATE TABLE memory_history (
    memory_id TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL,
    text TEXT NOT NULL,
    memory_type TEXT NOT NULL,
    status TEXT NOT NULL,
    replaced_by TEXT COLLATE "C",
    changed_at TEXT COLLATE "C" NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (memory_id, version)
  );
  CREATE INDEX memory_history_by_successor ON memory_history (replaced_by);

  -- The durable job queue: claimed with FOR UPDATE SKIP LOCKED under a lease (locked_by, locked_until).
  CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    task_id TEXT COLLATE "C" UNIQUE,
    kind TEXT NOT NULL,
    cube_id TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    payload JSONB NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'parked')),
    attempts INTEGER NOT NULL DEFAULT 0,
    run_after TEXT COLLATE "C" NOT NULL,
    last_error TEXT,
    result JSONB,
    locked_by TEXT,
    locked_until TEXT COLLATE "C",
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX jobs_ready ON jobs (status, run_after);
  CREATE INDEX jobs_by_cube ON jobs (cube_id, status, id);
  CREATE INDEX jobs_by_user ON jobs (user_id, status, id);
  `,
  // 2: chat tokens per user per UTC day (SQLite's schema 4).
  `
  CREATE TABLE chat_token_usage (
    user_id TEXT COLLATE "C" NOT NULL,
    day TEXT COLLATE "C" NOT NULL,
    tokens BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
  );
  `,
  // 3: request-level info stored once per cube and distinct content (SQLite's schema 5). The digest
  // is of jsonb's own text form, so equal infos meet however their keys were ordered.
  `
  CREATE TABLE memory_infos (
    id BIGSERIAL PRIMARY KEY,
    cube_id TEXT COLLATE "C" NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
    digest TEXT COLLATE "C" NOT NULL,
    info JSONB NOT NULL,
    bytes BIGINT NOT NULL,
    UNIQUE (cube_id, digest)
  );
  ALTER TABLE memories ADD COLUMN info_id BIGINT REFERENCES memory_infos(id);
  INSERT INTO memory_infos (cube_id, digest, info, bytes)
    SELECT cube_id, encode(sha256(convert_to(info::text, 'UTF8')), 'hex'), info, octet_length(info::text)
    FROM memories WHERE info <> '{}'::jsonb GROUP BY cube_id, info ORDER BY min(seq);
  UPDATE memories m SET info_id = i.id FROM memory_infos i WHERE i.cube_id = m.cube_id AND i.info = m.info AND m.info <> '{}'::jsonb;
  ALTER TABLE memories DROP COLUMN info;
  CREATE INDEX memories_by_info ON memories (info_id) WHERE info_id IS NOT NULL;
  -- What each memory row weighs in its cube's byte quota (src/store/stored-bytes.ts).
  ALTER TABLE memories ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;
  UPDATE memories m SET bytes = octet_length(m.text) + octet_length(m.key) + octet_length(m.background)
    + (SELECT coalesce(sum(octet_length(t)), 0) FROM jsonb_array_elements_text(m.tags) t);
  `,
  // 4: request-level tags stored once per cube and distinct list (SQLite's schema 6), as info is
  // since 3; a memory's bytes no longer count them (the set's row does, once). The digest is of
  // jsonb's text form, which keeps an array's order.
  `
  CREATE TABLE memory_tag_sets (
    id BIGSERIAL PRIMARY KEY,
    cube_id TEXT COLLATE "C" NOT NULL REFERENCES cubes(id) ON DELETE CASCADE,
    digest TEXT COLLATE "C" NOT NULL,
    tags JSONB NOT NULL,
    bytes BIGINT NOT NULL,
    UNIQUE (cube_id, digest)
  );
  ALTER TABLE memories ADD COLUMN tag_set_id BIGINT REFERENCES memory_tag_sets(id);
  INSERT INTO memory_tag_sets (cube_id, digest, tags, bytes)
    SELECT cube_id, encode(sha256(convert_to(tags::text, 'UTF8')), 'hex'), tags,
      (SELECT coalesce(sum(octet_length(t)), 0) FROM jsonb_array_elements_text(tags) t)
    FROM memories WHERE tags <> '[]'::jsonb GROUP BY cube_id, tags ORDER BY min(seq);
  UPDATE memories m SET tag_set_id = s.id FROM memory_tag_sets s WHERE s.cube_id = m.cube_id AND s.tags = m.tags AND m.tags <> '[]'::jsonb;
  ALTER TABLE memories DROP COLUMN tags;
  CREATE INDEX memories_by_tag_set ON memories (tag_set_id) WHERE tag_set_id IS NOT NULL;
  UPDATE memories SET bytes = octet_length(text) + octet_length(key) + octet_length(background);
  `,
  // 5: the soft delete of delete_memory_by_record_id (SQLite's schema 7): a memory set aside
  // (status 'deleted') keeps its row until it is recovered or purged; the record id names the delete
  // that set it aside, and deleted_at starts its retention (MEMCUBE_SOFT_DELETE_RETENTION).
  `
  ALTER TABLE memories ADD COLUMN delete_record_id TEXT COLLATE "C";
  ALTER TABLE memories ADD COLUMN deleted_at TEXT COLLATE "C";
  CREATE INDEX memories_by_delete_record ON memories (cube_id, delete_record_id) WHERE delete_record_id IS NOT NULL;
  CREATE INDEX memories_soft_deleted ON memories (deleted_at) WHERE deleted_at IS NOT NULL;
  `,
  // 6: a session's messages indexed in their full order, (chat_time, seq). A message's neighbour
  // in its session (search's replies and turns before) is a row comparison on that pair; without
  // seq in the index, PostgreSQL read every later (earlier) message of the session and sorted them:
  // 30 ms a lookup in a session of 100,000 messages stored at one time, 0.05 ms with it. The old
  // index is the new one's prefix.
  `
  CREATE INDEX messages_in_order ON messages (cube_id, session_id, chat_time, seq);
  DROP INDEX messages_by_session;
  `,
];
