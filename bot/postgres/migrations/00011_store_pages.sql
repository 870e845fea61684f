-- +goose Up
-- Each seller's public store page, /cua-hang/{slug}: readable (name and
-- commune without diacritics, then a short random suffix) and stable when
-- the name changes. Filled in by the application, which folds Vietnamese
-- (DB.Migrate gives one to every seller without).
ALTER TABLE sellers ADD COLUMN slug text UNIQUE;

-- The market page lists what is on sale, newest first.
CREATE INDEX listings_on_sale ON listings (created_at DESC, id DESC) WHERE status IN ('active', 'sold_out');

-- +goose Down
DROP INDEX listings_on_sale;
ALTER TABLE sellers DROP COLUMN slug;
