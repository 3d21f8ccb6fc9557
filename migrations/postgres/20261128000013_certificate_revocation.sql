-- Revoking a certificate: who, why (a reason code the holder reads in their language) and a note.
ALTER TABLE certificates ADD COLUMN revoked_by TEXT;
ALTER TABLE certificates ADD COLUMN revoked_reason TEXT;
ALTER TABLE certificates ADD COLUMN revoked_note TEXT;
