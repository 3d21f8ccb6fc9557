-- Qabilet walking skeleton: people, the bank, blueprints, attempts, responses, stages.
-- Times are milliseconds since the Unix epoch (BIGINT); JSON documents are TEXT.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('applicant', 'proctor', 'methodologist', 'admin')),
    full_name     TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE competencies (
    code     TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    names    TEXT NOT NULL            -- {"ru": "...", "en": "...", "kk": "..."}
);

-- One row per item version. `content` is what a candidate may see (stem, options);
-- `answer_key` and `rationale` never leave the server for a candidate.
CREATE TABLE item_versions (
    item_id      TEXT NOT NULL,
    version      BIGINT NOT NULL,
    competency   TEXT NOT NULL REFERENCES competencies (code),
    difficulty   TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'published',
    content      TEXT NOT NULL,
    answer_key   TEXT NOT NULL,
    rationale    TEXT NOT NULL,
    option_count BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (item_id, version)
);
CREATE INDEX item_versions_pool ON item_versions (status, competency);

CREATE TABLE blueprints (
    id         TEXT PRIMARY KEY,
    spec       TEXT NOT NULL,
    active     BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE attempts (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    blueprint_id TEXT NOT NULL REFERENCES blueprints (id),
    status       TEXT NOT NULL CHECK (status IN ('in_progress', 'submitted', 'expired')),
    language     TEXT NOT NULL,
    form         TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    deadline     BIGINT NOT NULL,
    closed_at    BIGINT,
    score        TEXT,
    UNIQUE (user_id, blueprint_id)
);
CREATE INDEX attempts_open ON attempts (status, deadline);

CREATE TABLE responses (
    attempt_id TEXT NOT NULL REFERENCES attempts (id),
    item_id    TEXT NOT NULL,
    choice     BIGINT,
    seq        BIGINT NOT NULL,
    saved_at   BIGINT NOT NULL,
    PRIMARY KEY (attempt_id, item_id)
);

CREATE TABLE stage_results (
    user_id     TEXT NOT NULL REFERENCES users (id),
    stage       BIGINT NOT NULL CHECK (stage BETWEEN 1 AND 5),
    status      TEXT NOT NULL CHECK (status IN ('pending', 'passed', 'failed', 'withdrawn')),
    attempt_id  TEXT REFERENCES attempts (id),
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, stage)
);
