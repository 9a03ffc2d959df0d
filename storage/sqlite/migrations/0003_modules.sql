-- Module files uploaded through the admin API, loaded with the modules
-- folder at start. path is the file's path in the module set
-- ("games/chess.lua"); hash is the hex SHA-256 of data; update_time is in
-- microseconds since the Unix epoch.
CREATE TABLE module (
	path        TEXT PRIMARY KEY,
	data        BLOB NOT NULL,
	size        INTEGER NOT NULL,
	hash        TEXT NOT NULL,
	update_time INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
