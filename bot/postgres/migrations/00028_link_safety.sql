-- +goose Up
-- A bank account asked for from an account linked to a farmer's first one
-- waits here, not in sellers, until the farmer confirms it on that first
-- account: buyers (VietQR) read sellers only, so they never see it. One
-- waiting per profile, a newer replacing it; token names it in the
-- buttons of the question, so that an old button confirms nothing newer.
CREATE TABLE bank_changes (
    seller_id    bigint PRIMARY KEY REFERENCES sellers (id),
    token        text NOT NULL,
    bank_bin     text NOT NULL,
    bank_name    text NOT NULL,
    bank_account text NOT NULL,
    bank_holder  text NOT NULL,
    asked_by     bigint NOT NULL REFERENCES users (id), -- the linked account itself, not the person
    asked_at     timestamptz NOT NULL
);
CREATE INDEX bank_changes_asked_by ON bank_changes (asked_by);

-- What linking moved from the account linked (roles, orders as a buyer)
-- names it, so that undoing the link (/bonoi) gives it back; linked_at
-- tells what was added to the person since.
ALTER TABLE users ADD COLUMN linked_at timestamptz;
ALTER TABLE user_roles ADD COLUMN linked_from bigint REFERENCES users (id);
ALTER TABLE orders ADD COLUMN linked_from bigint REFERENCES users (id);
CREATE INDEX orders_linked_from ON orders (linked_from) WHERE linked_from IS NOT NULL;

-- +goose Down
DROP INDEX orders_linked_from;
ALTER TABLE orders DROP COLUMN linked_from;
ALTER TABLE user_roles DROP COLUMN linked_from;
ALTER TABLE users DROP COLUMN linked_at;
DROP TABLE bank_changes;
