-- +goose Up
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    channel       text NOT NULL,
    platform_id   text NOT NULL,
    platform_name text NOT NULL DEFAULT '',
    display_name  text,
    lang          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, platform_id)
);

-- Every group the bot has been added to, whether or not it is a market.
CREATE TABLE chats (
    channel    text NOT NULL,
    chat_id    text NOT NULL,
    type       text NOT NULL CHECK (type IN ('private', 'group')),
    title      text NOT NULL DEFAULT '',
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, chat_id)
);

-- Groups registered as markets: listings of their area are posted there.
CREATE TABLE market_groups (
    channel       text NOT NULL,
    chat_id       text NOT NULL,
    area_tag      text, -- NULL: listings of every area
    registered_by bigint REFERENCES users (id),
    registered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, chat_id),
    FOREIGN KEY (channel, chat_id) REFERENCES chats (channel, chat_id)
);

-- +goose Down
DROP TABLE market_groups;
DROP TABLE chats;
DROP TABLE users;
