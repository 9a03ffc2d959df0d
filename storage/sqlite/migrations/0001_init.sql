-- Accounts, identities, token revocations and storage objects.
-- Times are microseconds since the Unix epoch; 0 means unset.

CREATE TABLE users (
	id           TEXT PRIMARY KEY,
	username     TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL DEFAULT '',
	avatar_url   TEXT NOT NULL DEFAULT '',
	lang_tag     TEXT NOT NULL DEFAULT 'en',
	location     TEXT NOT NULL DEFAULT '',
	timezone     TEXT NOT NULL DEFAULT '',
	metadata     TEXT NOT NULL DEFAULT '{}',
	wallet       TEXT NOT NULL DEFAULT '{}',
	email        TEXT UNIQUE,
	password     BLOB,
	custom_id    TEXT UNIQUE,
	edge_count   INTEGER NOT NULL DEFAULT 0,
	create_time  INTEGER NOT NULL,
	update_time  INTEGER NOT NULL,
	verify_time  INTEGER NOT NULL DEFAULT 0,
	disable_time INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE user_device (
	id      TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX user_device_user_id_idx ON user_device (user_id);

CREATE TABLE token_revocation (
	user_id       TEXT NOT NULL,
	token_id      TEXT NOT NULL,
	issued_before INTEGER NOT NULL,
	expire_time   INTEGER NOT NULL,
	PRIMARY KEY (user_id, token_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX token_revocation_expire_time_idx ON token_revocation (expire_time);

-- user_id '' is the server. There is no foreign key to users: server-owned
-- objects have no user row.
CREATE TABLE storage (
	collection       TEXT NOT NULL,
	user_id          TEXT NOT NULL,
	key              TEXT NOT NULL,
	value            TEXT NOT NULL,
	version          TEXT NOT NULL,
	permission_read  INTEGER NOT NULL CHECK (permission_read BETWEEN 0 AND 2),
	permission_write INTEGER NOT NULL CHECK (permission_write BETWEEN 0 AND 1),
	create_time      INTEGER NOT NULL,
	update_time      INTEGER NOT NULL,
	PRIMARY KEY (collection, user_id, key)
) STRICT, WITHOUT ROWID;
