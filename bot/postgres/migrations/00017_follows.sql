-- +goose Up
-- Follows: a buyer's wish to hear of new listings of a product (the
-- catalog's key, or a folded name typed freely) in an area ('' for all).
CREATE TABLE follows (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_key  text NOT NULL DEFAULT '',
    product_fold text NOT NULL DEFAULT '', -- folded name, for products not in the catalog
    product_name text NOT NULL,
    area         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, product_key, product_fold, area)
);
CREATE INDEX follows_by_key ON follows (product_key, area) WHERE product_key <> '';
CREATE INDEX follows_by_fold ON follows (product_fold, area) WHERE product_key = '';

-- Follow notices: a new listing on its way to a follower, written by the
-- publishing transaction in one INSERT … SELECT, delivered by the tick
-- (state new → sent, or held past the day's cap → digest the next morning).
CREATE TABLE follow_notices (
    id         bigserial PRIMARY KEY,
    listing_id bigint NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state      text NOT NULL DEFAULT 'new', -- new, sent, held, digest, gone (no chat, the listing ended, or the buyer blocked the bot)
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    UNIQUE (listing_id, user_id)
);
CREATE INDEX follow_notices_new ON follow_notices (id) WHERE state = 'new';
CREATE INDEX follow_notices_held ON follow_notices (user_id) WHERE state = 'held';
CREATE INDEX follow_notices_sent ON follow_notices (user_id, sent_at) WHERE state = 'sent';

-- +goose Down
DROP TABLE follow_notices;
DROP TABLE follows;
