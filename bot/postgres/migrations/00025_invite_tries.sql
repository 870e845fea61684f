-- +goose Up
-- Each wrong invite code typed is a row, so that a person's wrong tries
-- are counted over a day (flows/roles.go), whichever chat typed them.
CREATE TABLE invite_tries (
    id      bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id), -- the person who typed it
    at      timestamptz NOT NULL,
    source  text NOT NULL UNIQUE -- the update that typed it: its retry is not counted again
);
CREATE INDEX invite_tries_user ON invite_tries (user_id, at);

-- +goose Down
DROP TABLE invite_tries;
