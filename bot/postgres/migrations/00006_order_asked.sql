-- +goose Up
-- The quantity as the buyer typed it (50 kg of a listing counted in tạ), so
-- that the buyer, the farmer and the groups read it in the buyer's unit.
ALTER TABLE orders ADD COLUMN asked_milli bigint;
ALTER TABLE orders ADD COLUMN asked_unit text;

-- +goose Down
ALTER TABLE orders DROP COLUMN asked_unit;
ALTER TABLE orders DROP COLUMN asked_milli;
