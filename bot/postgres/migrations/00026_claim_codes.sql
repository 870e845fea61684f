-- +goose Up
-- A code may claim a farmer's profile that a helper registered (sellers
-- without user_id) for the farmer who asks, instead of linking two
-- accounts: it goes to that helper (account_id), who reads it to the
-- farmer once sure it is them, and the farmer types it (requester_id).
ALTER TABLE link_codes ADD COLUMN seller_id bigint REFERENCES sellers (id);

-- +goose Down
ALTER TABLE link_codes DROP COLUMN seller_id;
