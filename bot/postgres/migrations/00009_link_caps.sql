-- +goose Up
-- The caps on linking that hold against guessing (see flows/link.go): each
-- wrong try at a code is a row, so that the tries at one account's codes
-- are counted over a day whoever typed them, with whichever code.
CREATE TABLE link_tries (
    id         bigserial PRIMARY KEY,
    code_id    bigint NOT NULL REFERENCES link_codes (id),
    account_id bigint NOT NULL REFERENCES users (id), -- the code's account
    at         timestamptz NOT NULL,
    source     text NOT NULL UNIQUE -- the update that typed it: its retry is not counted again
);
CREATE INDEX link_tries_account ON link_tries (account_id, at);

-- Codes asked by one account, for its cap on the accounts it asks codes for.
CREATE INDEX link_codes_requester ON link_codes (requester_id, created_at);

-- +goose Down
DROP INDEX link_codes_requester;
DROP TABLE link_tries;
