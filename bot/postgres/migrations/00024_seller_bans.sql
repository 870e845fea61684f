-- +goose Up
-- /chan on a listing a helper posted for a farmer without an account of
-- their own bans the farmer's seller profile: no helper may post for it,
-- nor the farmer once they take the profile over. A user's ban stays a
-- role (user_roles).
CREATE TABLE seller_bans (
    seller_id  bigint PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    banned_by  bigint REFERENCES users (id),
    banned_at  timestamptz NOT NULL DEFAULT now(),
    reason     text NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE seller_bans;
