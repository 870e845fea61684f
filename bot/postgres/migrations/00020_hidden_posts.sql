-- +goose Up
-- A group's admin takes a listing down in the groups they administer only
-- ("gỡ NS-7K2Q"): anyone can make a group of theirs a market. Its post
-- there says it was taken down, nothing more of it is sent there, and it
-- stays on sale elsewhere.
ALTER TABLE listing_posts ADD COLUMN hidden_at timestamptz, ADD COLUMN hidden_by bigint REFERENCES users (id);

-- +goose Down
ALTER TABLE listing_posts DROP COLUMN hidden_by, DROP COLUMN hidden_at;
