-- +goose Up
-- An announcement's photo is served at /media/{id} like a listing's: the
-- groups of other channels, and Zalo's (which takes photos by URL only),
-- get it by that link. It is served while its broadcast is sending and for
-- a day after (postgres.broadcastPhotosFor), then forgotten.
ALTER TABLE media ADD COLUMN broadcast_id bigint REFERENCES broadcasts (id);
CREATE INDEX media_broadcast ON media (broadcast_id) WHERE broadcast_id IS NOT NULL;

-- A group that got the announcement without its photo (its platform could
-- not fetch it): the report says so.
ALTER TABLE broadcast_targets ADD COLUMN no_photo boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE broadcast_targets DROP COLUMN no_photo;
DROP INDEX media_broadcast;
ALTER TABLE media DROP COLUMN broadcast_id;
