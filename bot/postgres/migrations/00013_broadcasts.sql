-- +goose Up
-- A moderator's announcement to market groups: a durable job, one row per
-- target group, run by workers on any replica (FOR UPDATE SKIP LOCKED).
CREATE TABLE broadcasts (
    id            bigserial PRIMARY KEY,
    author_id     bigint NOT NULL REFERENCES users (id),
    -- The author's private chat: the progress and the final report go there.
    channel       text NOT NULL,
    chat_id       text NOT NULL,
    lang          text NOT NULL,
    text          text NOT NULL,
    photo         text, -- a photo reference as in Reply.Photos; NULL for none
    pin           boolean NOT NULL DEFAULT false,
    scope         text NOT NULL CHECK (scope IN ('all', 'areas', 'picked', 'own')),
    areas         text[] NOT NULL DEFAULT '{}',
    status        text NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'cancelled', 'done')),
    progress_id   text, -- the author's message edited in place with the progress
    reported_at   timestamptz, -- the final report was queued
    source_update text UNIQUE, -- the update that confirmed it: a retry finds it
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX broadcasts_open ON broadcasts (id) WHERE status = 'sending' OR reported_at IS NULL;

-- pending: to send; claimed: a worker took it (back to pending if it stops
-- before sending); sending: the request is on its way (if the worker stops
-- now, nobody knows whether the group got it: unsure, never sent twice);
-- sent; failed: refused for good (bot removed, chat gone); cancelled.
CREATE TABLE broadcast_targets (
    broadcast_id  bigint NOT NULL REFERENCES broadcasts (id),
    channel       text NOT NULL,
    chat_id       text NOT NULL,
    title         text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'claimed', 'sending', 'sent', 'failed', 'unsure', 'cancelled')),
    attempts      int NOT NULL DEFAULT 0,
    not_before    timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz,
    message_ids   text[] NOT NULL DEFAULT '{}',
    error         text NOT NULL DEFAULT '',
    sent_at       timestamptz,
    PRIMARY KEY (broadcast_id, channel, chat_id)
);
CREATE INDEX broadcast_targets_due ON broadcast_targets (not_before) WHERE status = 'pending';
CREATE INDEX broadcast_targets_claimed ON broadcast_targets (claimed_until) WHERE status IN ('claimed', 'sending');

-- +goose Down
DROP TABLE broadcast_targets;
DROP TABLE broadcasts;
