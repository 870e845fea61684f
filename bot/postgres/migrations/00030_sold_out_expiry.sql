-- +goose Up
-- A sold-out listing ends at its last day as one on sale does (the tick
-- looks for both): the expiry's index covers both.
CREATE INDEX listings_on_sale_expiry ON listings (expires_at) WHERE status IN ('active', 'sold_out');
DROP INDEX listings_expiry;

-- +goose Down
CREATE INDEX listings_expiry ON listings (expires_at) WHERE status = 'active';
DROP INDEX listings_on_sale_expiry;
