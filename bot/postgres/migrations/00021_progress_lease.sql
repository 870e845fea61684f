-- +goose Up
-- A broadcast's progress message is sent or edited under a lease, which
-- its report waits for: a progress edit still on its way when the last
-- group was sent would land after the report's, the moderator's message
-- saying "sending 40/50" after "done".
ALTER TABLE broadcasts ADD COLUMN progress_until timestamptz;

-- +goose Down
ALTER TABLE broadcasts DROP COLUMN progress_until;
