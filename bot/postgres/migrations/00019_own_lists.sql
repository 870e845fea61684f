-- +goose Up
-- A user's own listings and orders (the list of their listings, /don) are
-- found from their listings as the seller (listings_seller) or as the
-- helper who posted them, then each listing's newest orders.
CREATE INDEX listings_helper ON listings (helper_id, created_at DESC) WHERE helper_id IS NOT NULL;
CREATE INDEX orders_listing_recent ON orders (listing_id, created_at DESC);
DROP INDEX orders_listing;

-- +goose Down
CREATE INDEX orders_listing ON orders (listing_id);
DROP INDEX orders_listing_recent;
DROP INDEX listings_helper;
