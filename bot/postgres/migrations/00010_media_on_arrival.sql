-- +goose Up
-- A photo from a channel whose links expire (Zalo's CDN URLs) is kept from
-- its arrival, not from its listing's publication: a draft may wait a day.
-- Until published it has no listing, and a photo without a listing is
-- never served.
ALTER TABLE media ALTER COLUMN listing_id DROP NOT NULL;

-- +goose Down
DELETE FROM media WHERE listing_id IS NULL;
ALTER TABLE media ALTER COLUMN listing_id SET NOT NULL;
