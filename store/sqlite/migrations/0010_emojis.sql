-- Custom emoji of remote statuses and profiles: a JSON array of
-- {"shortcode", "url"} ('' when there are none). Their images are served
-- through the remote media cache.
ALTER TABLE statuses ADD COLUMN emojis TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN emojis TEXT NOT NULL DEFAULT '';
