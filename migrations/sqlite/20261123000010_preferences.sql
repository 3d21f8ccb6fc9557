-- Each account's preferences (interface language, text size, contrast), as JSON: kept
-- across devices and applied at sign-in.
ALTER TABLE users ADD COLUMN preferences TEXT NOT NULL DEFAULT '{}';
