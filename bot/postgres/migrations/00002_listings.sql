-- +goose Up
-- Farmers who sell: registered by themselves (user_id) or by a helper for a
-- farmer without a smartphone (user_id NULL, created_by the helper).
CREATE TABLE sellers (
    id           bigserial PRIMARY KEY,
    user_id      bigint UNIQUE REFERENCES users (id),
    name         text NOT NULL,
    phone_e164   text UNIQUE,
    commune      text NOT NULL DEFAULT '',
    area_tag     text, -- NULL outside Lạng Sơn
    growing_code text,
    bank_bin     text,
    bank_name    text,
    bank_account text,
    bank_holder  text,
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE listings (
    id              bigserial PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    seller_id       bigint NOT NULL REFERENCES sellers (id),
    helper_id       bigint REFERENCES users (id),
    channel         text NOT NULL, -- where the photos are kept
    product_key     text,
    product_name    text NOT NULL,
    photos          text[] NOT NULL,
    unit            text NOT NULL,
    quantity_milli  bigint NOT NULL CHECK (quantity_milli > 0),
    remaining_milli bigint NOT NULL CHECK (remaining_milli >= 0 AND remaining_milli <= quantity_milli),
    price_vnd       bigint NOT NULL CHECK (price_vnd > 0),
    price_unit      text NOT NULL,
    price_typed     text NOT NULL,
    ready_on        date NOT NULL,
    note            text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'sold_out', 'closed', 'expired')),
    expires_at      timestamptz NOT NULL,
    renew_asked_at  timestamptz,
    source_update   text UNIQUE, -- the update that published it: a retry finds it
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX listings_seller ON listings (seller_id, created_at DESC);
CREATE INDEX listings_expiry ON listings (expires_at) WHERE status = 'active';

-- Where each listing was posted, so that changes edit the posts in place.
CREATE TABLE listing_posts (
    listing_id  bigint NOT NULL REFERENCES listings (id),
    channel     text NOT NULL,
    chat_id     text NOT NULL,
    message_ids text[] NOT NULL,
    buttons_id  text, -- the message with the order button, when separate (albums)
    link        text NOT NULL DEFAULT '',
    posted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (listing_id, channel, chat_id)
);

-- Roles beyond selling and buying; global moderators also come from MODERATORS.
CREATE TABLE user_roles (
    user_id    bigint NOT NULL REFERENCES users (id),
    role       text NOT NULL CHECK (role IN ('helper', 'moderator')),
    granted_by bigint REFERENCES users (id),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, role)
);

-- +goose Down
DROP TABLE user_roles;
DROP TABLE listing_posts;
DROP TABLE listings;
DROP TABLE sellers;
