-- +goose Up
-- A market group takes the listings of several areas: /dangky Chi Lăng, Bắc Sơn.
-- No area at all: every area.
ALTER TABLE market_groups ADD COLUMN areas text[] NOT NULL DEFAULT '{}';
UPDATE market_groups SET areas = ARRAY[area_tag] WHERE area_tag IS NOT NULL;
ALTER TABLE market_groups DROP COLUMN area_tag;
CREATE INDEX market_groups_areas ON market_groups USING gin (areas);

-- A banned user may no longer post listings; reason is told to them.
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check CHECK (role IN ('helper', 'moderator', 'banned'));
ALTER TABLE user_roles ADD COLUMN reason text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE user_roles DROP COLUMN reason;
DELETE FROM user_roles WHERE role = 'banned';
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check CHECK (role IN ('helper', 'moderator'));
DROP INDEX market_groups_areas;
ALTER TABLE market_groups ADD COLUMN area_tag text;
UPDATE market_groups SET area_tag = areas[1] WHERE cardinality(areas) > 0;
ALTER TABLE market_groups DROP COLUMN areas;
