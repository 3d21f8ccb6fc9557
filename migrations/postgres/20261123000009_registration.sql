-- Applicants register themselves with their IIN (one account per IIN).
ALTER TABLE users ADD COLUMN iin TEXT;
CREATE UNIQUE INDEX users_iin ON users (iin);
