-- +goose Up
-- The size of a photo's kept copy, read from it when it is kept, so that
-- a page gives each photo its width and height and the browser reserves
-- its space before it loads. Copies kept before this stay without one
-- (the page leaves the attributes out); they are a week's listings at most.
ALTER TABLE media ADD COLUMN width int, ADD COLUMN height int;

-- +goose Down
ALTER TABLE media DROP COLUMN width, DROP COLUMN height;
