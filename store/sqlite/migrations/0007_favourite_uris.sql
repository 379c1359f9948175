-- The id of the Like activity behind a remote favourite, so that an Undo
-- naming only that id can be matched.
ALTER TABLE favourites ADD COLUMN uri TEXT NOT NULL DEFAULT '';
CREATE INDEX favourites_uri ON favourites (uri) WHERE uri <> '';
