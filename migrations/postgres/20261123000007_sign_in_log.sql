-- Sign-ins and their failures, per account and per address: the audit of who signed in, and
-- what temporary lockouts are decided from.
CREATE TABLE auth_log (
    id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at    BIGINT NOT NULL,
    email TEXT NOT NULL,
    ip    TEXT NOT NULL,
    -- signed_in, wrong_password, locked
    event TEXT NOT NULL
);
CREATE INDEX auth_log_by_email ON auth_log (email, at);
CREATE INDEX auth_log_by_ip ON auth_log (ip, at);
