-- +goose Up
-- What a buyer typed last time, offered again.
CREATE TABLE buyers (
    user_id    bigint PRIMARY KEY REFERENCES users (id),
    name       text NOT NULL,
    phone_e164 text NOT NULL,
    address    text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id             bigserial PRIMARY KEY,
    code           text NOT NULL UNIQUE,
    listing_id     bigint NOT NULL REFERENCES listings (id),
    buyer_id       bigint NOT NULL REFERENCES users (id),
    quantity_milli bigint NOT NULL CHECK (quantity_milli > 0), -- in the listing's unit
    total_vnd      bigint NOT NULL CHECK (total_vnd >= 0),
    buyer_name     text NOT NULL,
    buyer_phone    text NOT NULL,
    delivery       text NOT NULL CHECK (delivery IN ('pickup', 'deliver')),
    address        text NOT NULL DEFAULT '',
    note           text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'accepted', 'shipping', 'completed', 'cancelled', 'declined')),
    reason         text NOT NULL DEFAULT '',
    reminded_at    timestamptz,
    source_update  text UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_listing ON orders (listing_id);
CREATE INDEX orders_buyer ON orders (buyer_id, created_at DESC);
CREATE INDEX orders_pending ON orders (created_at) WHERE status = 'pending';

-- Every change of an order: when, to what, by whom (NULL: the bot itself).
CREATE TABLE order_events (
    id       bigserial PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders (id),
    status   text NOT NULL,
    actor_id bigint REFERENCES users (id),
    note     text NOT NULL DEFAULT '',
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_events_order ON order_events (order_id, at);

CREATE INDEX listing_posts_message ON listing_posts USING gin (message_ids);

-- +goose Down
DROP INDEX listing_posts_message;
DROP TABLE order_events;
DROP TABLE orders;
DROP TABLE buyers;
