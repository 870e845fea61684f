-- +goose Up
-- When the bot learnt that an account's private chat is gone (the user
-- blocked the bot there), until the account writes again: a person's
-- follows are forgotten only when none of their accounts is reachable,
-- and what goes to the person goes to an account still reachable.
ALTER TABLE users ADD COLUMN gone_at timestamptz;

-- +goose Down
ALTER TABLE users DROP COLUMN gone_at;
