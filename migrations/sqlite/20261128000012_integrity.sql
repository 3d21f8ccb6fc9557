-- Exam integrity: time credited only where the server can vouch for it, and seats.

-- Each app server writes here every 2 s that it is alive. At start, a gap since the newest
-- entry (every instance down) is a server outage, credited to the attempts it cut off.
CREATE TABLE server_alive (
    instance TEXT PRIMARY KEY,
    at       BIGINT NOT NULL
);

-- Outages the server vouches for: `server` (no instance was up; id `server-<started_at>`, so
-- two instances starting together credit it once) and `sitting` (a large share of a sitting's
-- applicants went silent together).
CREATE TABLE outages (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('server', 'sitting')),
    sitting_id TEXT,
    started_at BIGINT NOT NULL,
    ended_at   BIGINT,
    detail     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX outages_by_sitting ON outages (sitting_id, started_at);

-- A lost connection the server cannot vouch for: the proctor grants or declines it.
-- One per gap (attempt, since): parallel heartbeats after one gap make one request.
CREATE TABLE credit_requests (
    id           TEXT PRIMARY KEY,
    attempt_id   TEXT NOT NULL REFERENCES attempts (id),
    sitting_id   TEXT,
    since_ms     BIGINT NOT NULL,
    until_ms     BIGINT NOT NULL,
    gap_ms       BIGINT NOT NULL,
    -- Credited at once because a sitting-wide outage covered part of the gap.
    auto_ms      BIGINT NOT NULL DEFAULT 0,
    -- What is left for the proctor to decide.
    requested_ms BIGINT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'granted', 'declined', 'covered')),
    granted_ms   BIGINT NOT NULL DEFAULT 0,
    -- What the applicant's page reported meanwhile: signals raised offline, with their times.
    detail       TEXT NOT NULL DEFAULT '{}',
    decided_by   TEXT,
    decided_at   BIGINT,
    reason       TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    UNIQUE (attempt_id, since_ms)
);
CREATE INDEX credit_requests_by_sitting ON credit_requests (sitting_id, status);

-- One person, one identity: the account's IIN (given at registration, or once with the first
-- application for accounts made by staff) is changed only by staff, with the reason here.
ALTER TABLE auth_log ADD COLUMN detail TEXT NOT NULL DEFAULT '';
-- Set when the owner proves the address (a link sent by mail); applications and imports never
-- link by e-mail alone.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;

-- Admission with an identity check: the applicant's photo with the application, a webcam
-- picture at the start of a remote sitting, and snapshots during it where the sitting asks.
-- Personal data: only the sitting's proctors and admins see them, every view is logged, and
-- they are deleted after the retention period.
CREATE TABLE photos (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL CHECK (kind IN ('application', 'start', 'snapshot')),
    sitting_id TEXT,
    attempt_id TEXT,
    media_type TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    taken_at   BIGINT NOT NULL
);
CREATE INDEX photos_by_user ON photos (user_id, kind, taken_at);
CREATE INDEX photos_by_time ON photos (taken_at);
-- Who looked at which photo, when (kept after the photo is deleted).
CREATE TABLE photo_views (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    photo_id  TEXT NOT NULL,
    owner_id  TEXT NOT NULL,
    viewer_id TEXT NOT NULL,
    viewer    TEXT NOT NULL,
    at        BIGINT NOT NULL
);
-- A remote sitting takes a picture at the start (camera) and, every snapshot_seconds, during
-- the test.
ALTER TABLE sittings ADD COLUMN camera BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sittings ADD COLUMN snapshot_seconds BIGINT;
-- A proctor could not confirm the applicant's identity (admitting later clears it).
ALTER TABLE sitting_applicants ADD COLUMN refused_reason TEXT;
ALTER TABLE sitting_applicants ADD COLUMN refused_by TEXT;
