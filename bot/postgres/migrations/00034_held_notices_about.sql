-- +goose Up
-- What a held notice is about ("order:42:user:7": an order's timeout, told
-- to that person), so that it is not told twice: a farmer who taps a button
-- of an order that timed out at night learns it then, from the notice
-- taken back (told_by: the update that told it, which gets it again if run
-- again), and the tick drops it instead of sending it in the morning.
ALTER TABLE held_notices ADD COLUMN about text, ADD COLUMN told_by text;
CREATE INDEX held_notices_about ON held_notices (about) WHERE about IS NOT NULL;

-- +goose Down
DROP INDEX held_notices_about;
ALTER TABLE held_notices DROP COLUMN told_by, DROP COLUMN about;
