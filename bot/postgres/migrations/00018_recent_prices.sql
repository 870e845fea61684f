-- +goose Up
-- The price hints look up a product's recent listings at every price
-- question.
CREATE INDEX listings_product_recent ON listings (product_key, created_at) WHERE product_key IS NOT NULL;

-- +goose Down
DROP INDEX listings_product_recent;
