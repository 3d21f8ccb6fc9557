-- The question bank for methodologists: item heads (for the list), lifecycle per version,
-- audit log, attachments.

ALTER TABLE item_versions ADD COLUMN item_type TEXT NOT NULL DEFAULT 'single_choice';
ALTER TABLE item_versions ADD COLUMN author_id TEXT;
ALTER TABLE item_versions ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

-- One row per item: its newest version and what the list filters and sorts on.
-- status: draft | in_review | published | retired (of the newest version).
CREATE TABLE items (
    item_id           TEXT PRIMARY KEY,
    head_version      INTEGER NOT NULL,
    published_version INTEGER,
    status            TEXT NOT NULL,
    competency        TEXT NOT NULL,
    item_type         TEXT NOT NULL,
    difficulty        TEXT NOT NULL,
    ready             TEXT NOT NULL DEFAULT '',   -- languages the item is complete in: 'kk,ru,en'
    tags              TEXT NOT NULL DEFAULT '',   -- ',tag1,tag2,'
    search_text       TEXT NOT NULL DEFAULT '',   -- id, texts and tags, lower-cased
    preview           TEXT NOT NULL DEFAULT '',   -- the stem as plain text, shortened
    author_id         TEXT,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX items_by_status ON items (status, competency);
CREATE INDEX items_by_updated ON items (updated_at);

INSERT INTO items (item_id, head_version, published_version, status, competency, item_type,
                   difficulty, ready, tags, search_text, preview, author_id, updated_at)
SELECT v.item_id, v.version, v.version, v.status, v.competency, v.item_type, v.difficulty,
       '', '', LOWER(v.item_id), v.item_id, NULL, v.created_at
FROM item_versions v
WHERE v.version = (SELECT MAX(w.version) FROM item_versions w WHERE w.item_id = v.item_id);

-- Every change to an item: who, when, what, and the reviewer's comment.
CREATE TABLE item_audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX item_audit_by_item ON item_audit (item_id, id);

-- Image bytes, stored once per content digest.
CREATE TABLE attachments (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    bytes      BLOB NOT NULL
);
