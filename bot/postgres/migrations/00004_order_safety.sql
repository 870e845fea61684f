-- +goose Up
-- Who sold a listing out: orders (released stock puts it back on sale) or
-- the farmer (it stays sold out).
ALTER TABLE listings ADD COLUMN sold_out_by text CHECK (sold_out_by IN ('orders', 'farmer'));
-- The smallest order the farmer takes, in the listing's unit (0: any).
ALTER TABLE listings ADD COLUMN min_order_milli bigint NOT NULL DEFAULT 0 CHECK (min_order_milli >= 0);
-- The update (or nonce) that made a change: a retried update finds its
-- change done instead of being refused.
ALTER TABLE order_events ADD COLUMN source text UNIQUE;

-- +goose Down
ALTER TABLE order_events DROP COLUMN source;
ALTER TABLE listings DROP COLUMN min_order_milli;
ALTER TABLE listings DROP COLUMN sold_out_by;
