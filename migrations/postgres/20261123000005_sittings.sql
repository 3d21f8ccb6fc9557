-- Sittings, proctors and admission; pauses, heartbeats and terminations; event categories.

CREATE TABLE sittings (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    blueprint_id       TEXT NOT NULL REFERENCES blueprints (id),
    region             TEXT NOT NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('online', 'venue')),
    venue              TEXT NOT NULL DEFAULT '',
    opens_at           BIGINT NOT NULL,
    closes_at          BIGINT NOT NULL,
    requires_admission BIGINT NOT NULL DEFAULT 0,
    -- The whole sitting is paused (e.g. a power cut at the venue) since this time.
    paused_at          BIGINT,
    created_by         TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);

CREATE TABLE sitting_proctors (
    sitting_id TEXT NOT NULL REFERENCES sittings (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (sitting_id, user_id)
);
CREATE INDEX sitting_proctors_by_user ON sitting_proctors (user_id);

CREATE TABLE sitting_applicants (
    sitting_id    TEXT NOT NULL REFERENCES sittings (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    -- The applicant asked to start and waits for admission.
    checked_in_at BIGINT,
    admitted_at   BIGINT,
    admitted_by   TEXT,
    PRIMARY KEY (sitting_id, user_id)
);
CREATE INDEX sitting_applicants_by_user ON sitting_applicants (user_id);

ALTER TABLE attempts ADD COLUMN sitting_id TEXT;
-- Paused since (the deadline moves on by the paused time at resume).
ALTER TABLE attempts ADD COLUMN paused_at BIGINT;
-- The last heartbeat, and the address it came from.
ALTER TABLE attempts ADD COLUMN last_seen BIGINT;
ALTER TABLE attempts ADD COLUMN last_ip TEXT;
-- A proctor ended the attempt: {"by": "...", "reason": "..."} (status is then 'submitted').
ALTER TABLE attempts ADD COLUMN termination TEXT;
CREATE INDEX attempts_by_sitting ON attempts (sitting_id);

-- integrity (signals from the browser), incident (technical), intervention (a proctor's
-- action) or system.
ALTER TABLE attempt_events ADD COLUMN category TEXT NOT NULL DEFAULT 'system';
ALTER TABLE attempt_events ADD COLUMN actor TEXT NOT NULL DEFAULT '';
