-- Custom emoji of remote statuses and profiles: a JSON array of
-- {"shortcode", "url"} ('' when there are none). Their images are served
-- through the remote media cache.
ALTER TABLE statuses ADD COLUMN emojis TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN emojis TEXT NOT NULL DEFAULT '';
-- The attachments each version of a status had (JSON array of the media as
-- they were: ids, files, descriptions), for the edit history.
ALTER TABLE status_edits ADD COLUMN media TEXT NOT NULL DEFAULT '';
