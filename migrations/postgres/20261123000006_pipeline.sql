-- The selection pipeline: campaigns, applications, stages 2-5, appeals, certificates, the
-- reserve and appointments. Two new roles: expert and commission.

ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('applicant', 'proctor', 'methodologist', 'admin', 'expert', 'commission'));

-- A campaign (a year's round) groups applications, sittings and results. `settings` is JSON:
-- the selection rule of each stage, the rubric of the final assessment, the appeal period.
CREATE TABLE campaigns (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    year         BIGINT NOT NULL,
    round        BIGINT NOT NULL DEFAULT 1,
    blueprint_id TEXT,
    -- Applicants may apply (1) or not (0).
    open         BIGINT NOT NULL DEFAULT 1,
    settings     TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE applications (
    id               TEXT PRIMARY KEY,
    campaign_id      TEXT NOT NULL REFERENCES campaigns (id),
    -- The applicant's account (NULL for an imported application not yet claimed).
    user_id          TEXT REFERENCES users (id),
    iin              TEXT NOT NULL,
    full_name        TEXT NOT NULL,
    region           TEXT NOT NULL,
    district         TEXT NOT NULL,
    school           TEXT NOT NULL,
    position         TEXT NOT NULL,
    teaching_years   BIGINT NOT NULL,
    management_years BIGINT NOT NULL,
    email            TEXT NOT NULL,
    phone            TEXT NOT NULL,
    -- 'self' or 'import'.
    source           TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    -- Name, IIN, school and e-mail in lower case, for search (SQLite lowers ASCII only).
    search           TEXT NOT NULL,
    UNIQUE (campaign_id, iin)
);
CREATE INDEX applications_by_user ON applications (user_id);
CREATE INDEX applications_by_region ON applications (campaign_id, region);

-- Each candidate's current outcome per stage (1-5); `detail` is the stage's record (JSON).
CREATE TABLE stage_outcomes (
    application_id TEXT NOT NULL REFERENCES applications (id),
    stage          BIGINT NOT NULL CHECK (stage BETWEEN 1 AND 5),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'passed', 'failed', 'withdrawn')),
    score          DOUBLE PRECISION,
    detail         TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL,
    PRIMARY KEY (application_id, stage)
);
CREATE INDEX stage_outcomes_by_stage ON stage_outcomes (stage, status);

-- Every change of an outcome, with who, when and why.
CREATE TABLE stage_log (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id TEXT NOT NULL,
    stage          BIGINT NOT NULL,
    status         TEXT NOT NULL,
    score          DOUBLE PRECISION,
    detail         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL
);
CREATE INDEX stage_log_by_application ON stage_log (application_id);

-- A rank rule applied to a stage: the rule and the resulting cut lines (JSON).
CREATE TABLE selection_cuts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    stage       BIGINT NOT NULL,
    rule        TEXT NOT NULL,
    result      TEXT NOT NULL,
    applied_by  TEXT NOT NULL,
    applied_at  BIGINT NOT NULL
);

-- Experts (final assessment) and commission members (interview) of a campaign.
CREATE TABLE panel_members (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    panel       TEXT NOT NULL CHECK (panel IN ('expert', 'commission')),
    chair       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, user_id, panel)
);

-- The reflective report of the final assessment; experts see only its code (blind).
CREATE TABLE reports (
    application_id TEXT PRIMARY KEY REFERENCES applications (id),
    code           TEXT NOT NULL UNIQUE,
    body           TEXT NOT NULL,
    submitted_at   BIGINT NOT NULL
);

-- Marks of a report: two markers, and a third when they differ by more than the margin.
CREATE TABLE report_marks (
    application_id TEXT NOT NULL REFERENCES applications (id),
    marker_id      TEXT NOT NULL REFERENCES users (id),
    round          BIGINT NOT NULL,
    levels         TEXT,
    points         DOUBLE PRECISION,
    comment        TEXT NOT NULL DEFAULT '',
    marked_at      BIGINT,
    PRIMARY KEY (application_id, marker_id)
);
CREATE INDEX report_marks_by_marker ON report_marks (marker_id);

CREATE TABLE interview_scores (
    application_id TEXT NOT NULL REFERENCES applications (id),
    member_id      TEXT NOT NULL REFERENCES users (id),
    score          DOUBLE PRECISION NOT NULL,
    vote           TEXT NOT NULL CHECK (vote IN ('for', 'against')),
    comment        TEXT NOT NULL,
    at             BIGINT NOT NULL,
    PRIMARY KEY (application_id, member_id)
);

CREATE TABLE appeals (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    stage          BIGINT NOT NULL,
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    filed_at       BIGINT NOT NULL,
    decision       TEXT NOT NULL DEFAULT '',
    decided_by     TEXT,
    decided_at     BIGINT
);
CREATE INDEX appeals_by_application ON appeals (application_id);

CREATE TABLE certificates (
    number         TEXT PRIMARY KEY,
    application_id TEXT NOT NULL UNIQUE REFERENCES applications (id),
    full_name      TEXT NOT NULL,
    category       TEXT NOT NULL,
    region         TEXT NOT NULL,
    issued_at      BIGINT NOT NULL,
    valid_until    BIGINT NOT NULL,
    revoked_at     BIGINT
);

CREATE TABLE appointments (
    application_id TEXT PRIMARY KEY REFERENCES applications (id),
    school         TEXT NOT NULL,
    position       TEXT NOT NULL,
    appointed_on   TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL
);

ALTER TABLE sittings ADD COLUMN campaign_id TEXT;
