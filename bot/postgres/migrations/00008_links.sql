-- +goose Up
-- One person on several channels. An account linked to another acts as it:
-- its profile, listings and orders. linked_to names that account, which is
-- never linked itself.
ALTER TABLE users ADD COLUMN linked_to bigint REFERENCES users (id) CHECK (linked_to <> id);
CREATE INDEX users_linked_to ON users (linked_to) WHERE linked_to IS NOT NULL;

-- The codes that confirm a link, sent to the account being linked to. They
-- are kept here rather than in a chat's Redis state so that the hourly
-- limit holds across chats, sessions and replicas. Only a SHA-256 of the
-- code is stored: with a million possible codes that protects nothing from
-- whoever can read this table (who could as well edit users), but it keeps
-- the code itself out of PostgreSQL's statement logs, dumps and replicas.
CREATE TABLE link_codes (
    id           bigserial PRIMARY KEY,
    account_id   bigint NOT NULL REFERENCES users (id), -- the code went there
    requester_id bigint NOT NULL REFERENCES users (id), -- the code is typed here
    code_hash    bytea NOT NULL,
    tries        int NOT NULL DEFAULT 0, -- wrong ones
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    source       text NOT NULL UNIQUE -- the update that asked: its retry replaces the code
);
CREATE INDEX link_codes_account ON link_codes (account_id, created_at);

-- +goose Down
DROP TABLE link_codes;
DROP INDEX users_linked_to;
ALTER TABLE users DROP COLUMN linked_to;
