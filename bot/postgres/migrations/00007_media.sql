-- +goose Up
-- The photos of published listings, served at /media/{id} to channels other
-- than their own. A row is added with its listing (CreateListing), so that a
-- draft's photo is never served; the bytes are kept (resized) once fetched,
-- so that a photo outlives its platform's link (Zalo CDN URLs expire).
CREATE TABLE media (
    id           text PRIMARY KEY, -- public and unguessable: 128 random bits, hex
    listing_id   bigint NOT NULL REFERENCES listings (id),
    channel      text NOT NULL, -- the channel that keeps the original
    ref          text NOT NULL, -- the original there: a Telegram file_id, a Zalo image URL
    data         bytea,         -- the kept photo, NULL until fetched
    content_type text,
    kept_at      timestamptz,
    fails        int NOT NULL DEFAULT 0, -- fetches that failed in a row
    next_try_at  timestamptz NOT NULL DEFAULT now(),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_listing ON media (listing_id);
CREATE INDEX media_to_keep ON media (next_try_at) WHERE kept_at IS NULL;

-- listings.photos become tokens "<id>:<channel>:<ref>" (flows.PhotoRef):
-- each photo kept so far (a bare file_id on the listing's channel) gets an id.
-- md5 of two random UUIDs: 128 bits from PostgreSQL's strong random source.
UPDATE listings SET photos = ARRAY(
    SELECT CASE WHEN p LIKE '%:%' THEN p
        ELSE md5(gen_random_uuid()::text || gen_random_uuid()::text) || ':' || channel || ':' || p END
    FROM unnest(photos) WITH ORDINALITY AS u (p, n) ORDER BY n);

INSERT INTO media (id, listing_id, channel, ref)
SELECT split_part(p, ':', 1), l.id, split_part(p, ':', 2),
    substr(p, length(split_part(p, ':', 1)) + length(split_part(p, ':', 2)) + 3)
FROM listings l, unnest(l.photos) AS p
WHERE split_part(p, ':', 1) <> ''
ON CONFLICT DO NOTHING;

-- +goose Down
UPDATE listings SET photos = ARRAY(
    SELECT CASE WHEN p LIKE '%:%' THEN substr(p, length(split_part(p, ':', 1)) + length(split_part(p, ':', 2)) + 3) ELSE p END
    FROM unnest(photos) WITH ORDINALITY AS u (p, n) ORDER BY n);
DROP TABLE media;
