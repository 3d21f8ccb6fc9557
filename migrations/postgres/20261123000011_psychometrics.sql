-- Calibrated IRT parameters per item version (the latest calibration of that version, on
-- the bank's one ability scale), the calibrations that produced them, and modified-Angoff
-- standard-setting workshops with their judges' ratings per round.

CREATE TABLE calibrations (
    id             TEXT PRIMARY KEY,
    source         TEXT NOT NULL,
    model          TEXT NOT NULL,
    examinees      BIGINT NOT NULL,
    items          BIGINT NOT NULL,
    log_likelihood DOUBLE PRECISION NOT NULL,
    -- Mean-sigma link to the stored scale: b* = slope b + intercept (1 and 0 unlinked).
    link_slope     DOUBLE PRECISION NOT NULL,
    link_intercept DOUBLE PRECISION NOT NULL,
    link_common    BIGINT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE item_parameters (
    item_id        TEXT NOT NULL,
    version        BIGINT NOT NULL,
    calibration_id TEXT NOT NULL REFERENCES calibrations (id),
    model          TEXT NOT NULL,
    a              DOUBLE PRECISION NOT NULL,
    b              DOUBLE PRECISION NOT NULL,
    se_a           DOUBLE PRECISION NOT NULL,
    se_b           DOUBLE PRECISION NOT NULL,
    fit_p          DOUBLE PRECISION NOT NULL,
    examinees      BIGINT NOT NULL,
    calibrated_at  BIGINT NOT NULL,
    PRIMARY KEY (item_id, version)
);

CREATE TABLE standard_settings (
    id           TEXT PRIMARY KEY,
    blueprint_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    -- JSON: [{"item_id", "version", "competency", "weight"}] in the order judges rate them.
    items        TEXT NOT NULL,
    -- JSON: the judges' user ids.
    judges       TEXT NOT NULL,
    language     TEXT NOT NULL,
    round        BIGINT NOT NULL,
    -- open, adopted or closed
    status       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    -- JSON of the cut adopted as the blueprint's standard, once adopted.
    adopted      TEXT,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX standard_settings_by_blueprint ON standard_settings (blueprint_id, created_at);

CREATE TABLE angoff_ratings (
    setting_id TEXT NOT NULL REFERENCES standard_settings (id),
    round      BIGINT NOT NULL,
    judge_id   TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    rating     DOUBLE PRECISION NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (setting_id, round, judge_id, item_id)
);

-- Single choice: the authored option each scored attempt chose (option curves).
ALTER TABLE attempt_items ADD COLUMN chosen BIGINT;
