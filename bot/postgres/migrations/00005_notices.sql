-- +goose Up
-- Notices: the messages a change reports (an order cancelled by timeout, a
-- reminder, a listing's expiry, a group post), written in the same
-- transaction as the change. A relay moves them into the Redis outbox once.
CREATE TABLE notices (
    id         bigserial PRIMARY KEY,
    replies    jsonb NOT NULL, -- the flows.Reply list, in order
    created_at timestamptz NOT NULL DEFAULT now(),
    relayed_at timestamptz,
    unreadable boolean NOT NULL DEFAULT false -- could not be decoded: set aside, not relayed
);
CREATE INDEX notices_waiting ON notices (id) WHERE relayed_at IS NULL;

-- A post is recorded as pending before it is sent; the send fills in its
-- message ids.
ALTER TABLE listing_posts ALTER COLUMN message_ids SET DEFAULT '{}';

-- +goose Down
ALTER TABLE listing_posts ALTER COLUMN message_ids DROP DEFAULT;
DROP TABLE notices;
