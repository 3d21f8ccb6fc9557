-- Signed-out sessions: their tokens are refused until they would have expired anyway.
CREATE TABLE revoked_sessions (
    sid        TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
