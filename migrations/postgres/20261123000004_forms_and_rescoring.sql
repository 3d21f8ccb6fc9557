-- Every item type delivered to applicants; exposure and observed p-values per item; key
-- corrections and the score changes they cause.

-- The answer as the applicant gave it (shown positions), a JSON document; `choice` stays for
-- single-choice answers saved before this column existed.
ALTER TABLE responses ADD COLUMN answer TEXT;

ALTER TABLE blueprints ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE blueprints ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';

-- The items on each attempt's form (exposure counts) and the credit each earned once scored
-- (observed p-values).
CREATE TABLE attempt_items (
    attempt_id   TEXT NOT NULL REFERENCES attempts (id),
    blueprint_id TEXT NOT NULL,
    item_id      TEXT NOT NULL,
    version      BIGINT NOT NULL,
    credit       DOUBLE PRECISION,
    PRIMARY KEY (attempt_id, item_id)
);
CREATE INDEX attempt_items_by_item ON attempt_items (item_id, version);
CREATE INDEX attempt_items_by_blueprint ON attempt_items (blueprint_id, item_id);

CREATE TABLE key_corrections (
    id           TEXT PRIMARY KEY,
    item_id      TEXT NOT NULL,
    version      BIGINT NOT NULL,
    old_key      TEXT NOT NULL,
    new_key      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_at BIGINT NOT NULL,
    rescored     BIGINT NOT NULL DEFAULT 0
);

-- A stored score that a re-score changed; `cause` is a key correction id or 'rescore:<who>'.
CREATE TABLE score_changes (
    id           BIGSERIAL PRIMARY KEY,
    cause        TEXT NOT NULL,
    attempt_id   TEXT NOT NULL REFERENCES attempts (id),
    user_id      TEXT NOT NULL,
    blueprint_id TEXT NOT NULL,
    old_percent  DOUBLE PRECISION NOT NULL,
    new_percent  DOUBLE PRECISION NOT NULL,
    old_passed   BIGINT NOT NULL,
    new_passed   BIGINT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX score_changes_by_blueprint ON score_changes (blueprint_id, id);
