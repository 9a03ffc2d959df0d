-- Module files uploaded through the admin API, loaded with the modules
-- folder at start. path is the file's path in the module set
-- ("games/chess.lua"); hash is the hex SHA-256 of data; update_time is in
-- microseconds since the Unix epoch.
CREATE TABLE module (
	path        TEXT COLLATE "C" PRIMARY KEY,
	data        BYTEA NOT NULL,
	size        BIGINT NOT NULL,
	hash        TEXT NOT NULL,
	update_time BIGINT NOT NULL
);
