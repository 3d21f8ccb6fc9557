-- One active device per attempt, and the attempt's event log (kept for proctors).

-- The sign-in session that holds the attempt; saves from any other session are refused.
ALTER TABLE attempts ADD COLUMN device TEXT;

CREATE TABLE attempt_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attempt_id TEXT NOT NULL REFERENCES attempts (id),
    at         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX attempt_events_by_attempt ON attempt_events (attempt_id, id);
