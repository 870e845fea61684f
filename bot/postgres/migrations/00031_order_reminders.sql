-- +goose Up
-- When the farmer is reminded of a pending order, as the flows decided when
-- it was placed (halfway, never at night); infinity: never (it came at
-- night and cancels itself before the morning). NULL: not decided, as for
-- the orders waiting at the upgrade and those that replicas of the version
-- before place during the rolling update, after this ran: the tick reads
-- those too (the index holds NULLs) and the flows decide as they would
-- have. The tick reads only these, through the index, instead of every
-- pending order each minute.
ALTER TABLE orders ADD COLUMN remind_at timestamptz;
CREATE INDEX orders_remind_due ON orders (remind_at) WHERE status = 'pending' AND reminded_at IS NULL;

-- Notices held until a time (flows.Reply.NotBefore): what the bot's clock
-- does at night, told to a farmer in the morning. The tick moves those due
-- into notices, once whichever replica ticks.
CREATE TABLE held_notices (
    id         bigserial PRIMARY KEY,
    not_before timestamptz NOT NULL,
    replies    jsonb NOT NULL, -- the flows.Reply list, in order
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX held_notices_due ON held_notices (not_before, id);

-- +goose Down
DROP TABLE held_notices;
DROP INDEX orders_remind_due;
ALTER TABLE orders DROP COLUMN remind_at;
