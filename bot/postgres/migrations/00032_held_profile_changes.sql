-- +goose Up
-- A phone number set from a linked account waits for the farmer's word as
-- a bank account does (00028): buyers call the number of an accepted order,
-- so whoever got a link code could otherwise take their calls. One waiting
-- change per profile, holding the new number, the new account or both; a
-- newer one from a linked account adds to it under a new token.
ALTER TABLE bank_changes RENAME TO profile_changes;
ALTER INDEX bank_changes_pkey RENAME TO profile_changes_pkey;
ALTER INDEX bank_changes_asked_by RENAME TO profile_changes_asked_by;
ALTER TABLE profile_changes RENAME CONSTRAINT bank_changes_seller_id_fkey TO profile_changes_seller_id_fkey;
ALTER TABLE profile_changes RENAME CONSTRAINT bank_changes_asked_by_fkey TO profile_changes_asked_by_fkey;
ALTER TABLE profile_changes ADD COLUMN phone_e164 text,
    ALTER COLUMN bank_bin DROP NOT NULL,
    ALTER COLUMN bank_name DROP NOT NULL,
    ALTER COLUMN bank_account DROP NOT NULL,
    ALTER COLUMN bank_holder DROP NOT NULL,
    ADD CONSTRAINT profile_changes_something CHECK (phone_e164 IS NOT NULL OR bank_account IS NOT NULL);
-- For the rolling update only: replicas of the version before, still
-- running after this migration, read and write bank_changes. This view
-- (updatable: one table, plain columns) gives them the bank part of the
-- changes; an account of theirs joins a waiting number under their token,
-- as the new version does. To be dropped in the next release, once no
-- replica of the version before can run.
CREATE VIEW bank_changes AS
    SELECT seller_id, token, bank_bin, bank_name, bank_account, bank_holder, asked_by, asked_at
    FROM profile_changes WHERE bank_account IS NOT NULL;

-- +goose Down
DROP VIEW bank_changes;
DELETE FROM profile_changes WHERE bank_account IS NULL;
ALTER TABLE profile_changes DROP CONSTRAINT profile_changes_something,
    DROP COLUMN phone_e164,
    ALTER COLUMN bank_bin SET NOT NULL,
    ALTER COLUMN bank_name SET NOT NULL,
    ALTER COLUMN bank_account SET NOT NULL,
    ALTER COLUMN bank_holder SET NOT NULL;
ALTER TABLE profile_changes RENAME CONSTRAINT profile_changes_asked_by_fkey TO bank_changes_asked_by_fkey;
ALTER TABLE profile_changes RENAME CONSTRAINT profile_changes_seller_id_fkey TO bank_changes_seller_id_fkey;
ALTER INDEX profile_changes_asked_by RENAME TO bank_changes_asked_by;
ALTER INDEX profile_changes_pkey RENAME TO bank_changes_pkey;
ALTER TABLE profile_changes RENAME TO bank_changes;
