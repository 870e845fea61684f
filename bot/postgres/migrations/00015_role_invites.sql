-- +goose Up
-- /themmod: a global moderator invites someone to be a moderator or a
-- helper with a one-time code (QT-7K2Q9M), valid 48 hours. Only a hash of
-- the code is kept: whoever reads the table cannot claim a role.
CREATE TABLE role_invites (
    code_hash  bytea PRIMARY KEY,
    role       text NOT NULL CHECK (role IN ('helper', 'moderator')),
    created_by bigint NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_by    bigint REFERENCES users (id),
    used_at    timestamptz
);

-- +goose Down
DROP TABLE role_invites;
