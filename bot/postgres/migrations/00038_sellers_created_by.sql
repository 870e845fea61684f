-- +goose Up
-- A helper's farmers who do not use the bot themselves (/nhavuon), the
-- last registered first: read a page at a time from here, not from every
-- seller of the province.
CREATE INDEX sellers_created_by ON sellers (created_by, created_at DESC, id DESC) WHERE user_id IS NULL;

-- +goose Down
DROP INDEX sellers_created_by;
