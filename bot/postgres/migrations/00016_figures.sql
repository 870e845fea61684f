-- +goose Up
-- Files offered for download where a channel cannot send them (a figures
-- CSV on Zalo or in the sandbox), served at /tep/{token} until they
-- expire; never listed. Expired rows are removed as new ones come.
CREATE TABLE downloads (
    token      text PRIMARY KEY, -- 128 random bits: the link is the only key
    name       text NOT NULL,
    mime       text NOT NULL,
    data       bytea NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX downloads_expiry ON downloads (expires_at);

-- The province's figures count the orders sold in a period.
CREATE INDEX orders_created ON orders (created_at);

-- +goose Down
DROP INDEX orders_created;
DROP TABLE downloads;
