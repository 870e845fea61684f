-- +goose Up
-- The update that made a moderation change. A step is run again when its
-- chat's state lost a race in Redis after the change was committed here:
-- the update finds its own change and tells the moderator it is done,
-- rather than that it was done already (by someone else). A source names
-- its update for a day only: Telegram draws update_ids anew after a week
-- without updates, so an older row of the same source is another
-- update's (the store ignores it, or lets go of it).
ALTER TABLE user_roles ADD COLUMN source text;     -- of a ban
ALTER TABLE seller_bans ADD COLUMN source text;
ALTER TABLE listings ADD COLUMN removed_source text; -- of a moderator's take-down
ALTER TABLE listing_posts ADD COLUMN hidden_source text;
-- An invite run again keeps its one row: the code its first run made was
-- never shown (its reply went with the lost state), and is replaced.
ALTER TABLE role_invites ADD COLUMN source text UNIQUE;

-- A ban lifted or a role taken back leaves no row: the update that did it
-- is kept here, with the name it was told by, for the same purpose.
CREATE TABLE lifted_roles (
    source    text PRIMARY KEY,
    name      text NOT NULL DEFAULT '',
    account   bigint NOT NULL DEFAULT 0, -- the user told; 0: nobody
    lifted_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE lifted_roles;
ALTER TABLE role_invites DROP COLUMN source;
ALTER TABLE listing_posts DROP COLUMN hidden_source;
ALTER TABLE listings DROP COLUMN removed_source;
ALTER TABLE seller_bans DROP COLUMN source;
ALTER TABLE user_roles DROP COLUMN source;
