-- Persistent notifications and the history of chat channels.
-- Times are microseconds since the Unix epoch.

-- A user's notifications are listed by (create_time, id), after a cursor.
-- sender_id '' is the server. There is no foreign key to users: a
-- notification for an unknown user is kept and never listed.
CREATE TABLE notification (
	id          TEXT PRIMARY KEY,
	user_id     TEXT NOT NULL,
	subject     TEXT NOT NULL,
	content     TEXT NOT NULL,
	code        INTEGER NOT NULL,
	sender_id   TEXT NOT NULL,
	create_time INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX notification_user_id_create_time_id_idx ON notification (user_id, create_time, id);

-- channel_id is the channel's wire id ("2...room", "3.<group>..",
-- "4.<user>.<user>."); a channel's messages are listed by (create_time, id)
-- either way.
CREATE TABLE message (
	id          TEXT PRIMARY KEY,
	channel_id  TEXT NOT NULL,
	code        INTEGER NOT NULL,
	sender_id   TEXT NOT NULL,
	username    TEXT NOT NULL,
	content     TEXT NOT NULL,
	create_time INTEGER NOT NULL,
	update_time INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX message_channel_id_create_time_id_idx ON message (channel_id, create_time, id);
