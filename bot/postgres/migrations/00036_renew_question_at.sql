-- +goose Up
-- When the renewal question was last put to a listing's seller, kept when
-- the answer renews it (renew_asked_at is cleared then, for the next
-- question): a bare "có" or "không" answers the latest question the bot
-- asked, and an order placed before a renewal question answered since is
-- still not the latest.
ALTER TABLE listings ADD COLUMN renew_question_at timestamptz;
UPDATE listings SET renew_question_at = renew_asked_at WHERE renew_asked_at IS NOT NULL;

-- +goose Down
ALTER TABLE listings DROP COLUMN renew_question_at;
