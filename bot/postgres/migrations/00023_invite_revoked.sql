-- +goose Up
-- A moderator's role taken back (/xoamod) voids the codes they made and
-- nobody used yet: given back the role later, those codes stay void.
ALTER TABLE role_invites ADD COLUMN revoked_at timestamptz;
CREATE INDEX role_invites_created_by ON role_invites (created_by) WHERE used_by IS NULL;

-- +goose Down
DROP INDEX role_invites_created_by;
ALTER TABLE role_invites DROP COLUMN revoked_at;
