-- Accounts, identities, token revocations and storage objects.
-- Times are microseconds since the Unix epoch; 0 means unset. Ids and keys
-- use the "C" collation: bytewise order, as in SQLite, and cheaper indexes.

CREATE TABLE users (
	id           TEXT COLLATE "C" PRIMARY KEY,
	username     TEXT COLLATE "C" NOT NULL CONSTRAINT users_username_key UNIQUE,
	display_name TEXT NOT NULL DEFAULT '',
	avatar_url   TEXT NOT NULL DEFAULT '',
	lang_tag     TEXT NOT NULL DEFAULT 'en',
	location     TEXT NOT NULL DEFAULT '',
	timezone     TEXT NOT NULL DEFAULT '',
	metadata     TEXT NOT NULL DEFAULT '{}',
	wallet       TEXT NOT NULL DEFAULT '{}',
	email        TEXT COLLATE "C" CONSTRAINT users_email_key UNIQUE,
	password     BYTEA,
	custom_id    TEXT COLLATE "C" CONSTRAINT users_custom_id_key UNIQUE,
	edge_count   INTEGER NOT NULL DEFAULT 0,
	create_time  BIGINT NOT NULL,
	update_time  BIGINT NOT NULL,
	verify_time  BIGINT NOT NULL DEFAULT 0,
	disable_time BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE user_device (
	id      TEXT COLLATE "C" PRIMARY KEY,
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX user_device_user_id_idx ON user_device (user_id);

CREATE TABLE token_revocation (
	user_id       TEXT COLLATE "C" NOT NULL,
	token_id      TEXT COLLATE "C" NOT NULL,
	issued_before BIGINT NOT NULL,
	expire_time   BIGINT NOT NULL,
	PRIMARY KEY (user_id, token_id)
);

CREATE INDEX token_revocation_expire_time_idx ON token_revocation (expire_time);

-- user_id '' is the server. There is no foreign key to users: server-owned
-- objects have no user row.
CREATE TABLE storage (
	collection       TEXT COLLATE "C" NOT NULL,
	user_id          TEXT COLLATE "C" NOT NULL,
	key              TEXT COLLATE "C" NOT NULL,
	value            TEXT NOT NULL,
	version          TEXT NOT NULL,
	permission_read  SMALLINT NOT NULL CHECK (permission_read BETWEEN 0 AND 2),
	permission_write SMALLINT NOT NULL CHECK (permission_write BETWEEN 0 AND 1),
	create_time      BIGINT NOT NULL,
	update_time      BIGINT NOT NULL,
	PRIMARY KEY (collection, user_id, key)
);
