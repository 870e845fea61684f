-- +goose Up
-- A moderator may take a listing down ("gỡ NS-7K2Q"): it ends like a
-- closed one, and its posts say it was removed.
ALTER TABLE listings DROP CONSTRAINT listings_status_check;
ALTER TABLE listings ADD CONSTRAINT listings_status_check
    CHECK (status IN ('active', 'sold_out', 'closed', 'expired', 'removed'));

-- +goose Down
UPDATE listings SET status = 'closed' WHERE status = 'removed';
ALTER TABLE listings DROP CONSTRAINT listings_status_check;
ALTER TABLE listings ADD CONSTRAINT listings_status_check
    CHECK (status IN ('active', 'sold_out', 'closed', 'expired'));
