-- +goose Up
-- When a held notice was taken back (told_by): the tick keeps a told row,
-- unsent, for a day after, so that the update that told it, failing and
-- delivered again by Telegram or Zalo after the notice's morning, still
-- finds it, and drops it only then. Rows told before this ran have none:
-- their time (not_before) stands for it.
ALTER TABLE held_notices ADD COLUMN told_at timestamptz;
CREATE INDEX held_notices_told ON held_notices (coalesce(told_at, not_before)) WHERE told_by IS NOT NULL;

-- +goose Down
DROP INDEX held_notices_told;
ALTER TABLE held_notices DROP COLUMN told_at;
