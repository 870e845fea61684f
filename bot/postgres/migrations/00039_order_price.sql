-- +goose Up
-- The price an order is at, per its unit (as listings keep theirs): the
-- listing's as the buyer saw it, or the farmer's own when the buyer took
-- the price she named declining an earlier order (counter_of, that
-- order). An order's total, its views and its payment follow it, not the
-- listing's price of the day. NULL: placed before it was stored (or by a
-- replica of the version before, during the rolling update): read as the
-- listing's price, as that version did.
ALTER TABLE orders
    ADD COLUMN price_vnd bigint CHECK (price_vnd > 0),
    ADD COLUMN price_unit text,
    -- One order at the farmer's price per decline: a double tap, or a
    -- second try, finds the first (exactly once, whatever the update).
    ADD COLUMN counter_of bigint UNIQUE REFERENCES orders (id);

-- +goose Down
ALTER TABLE orders DROP COLUMN counter_of, DROP COLUMN price_unit, DROP COLUMN price_vnd;
