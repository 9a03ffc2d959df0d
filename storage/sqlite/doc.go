// Package sqlite is the embedded store: every storage port of runtime on one
// SQLite file, through modernc.org/sqlite (pure Go, no cgo) and database/sql.
// The logic and SQL are shared with storage/postgres in storage/internal/
// sqlcore; this package adds the connection handling, the migrations, the
// adapter and the recognition of unique violations.
//
// Connections. SQLite allows one writer at a time. Rather than let writers
// collide and retry on SQLITE_BUSY, the store has two pools on the same
// file: a write pool of exactly one connection whose transactions begin with
// BEGIN IMMEDIATE (the DSN's _txlock), so writers queue in Go and a
// transaction holds the write lock from its first statement; and a read pool
// of several query_only connections, which WAL mode lets read while the
// writer writes. Every connection sets busy_timeout (for other processes
// on the same file), foreign_keys and synchronous=NORMAL, the usual
// durability trade-off with WAL: a commit survives a crash of the process,
// and an OS crash may lose the last commits but never corrupts the file.
//
// Statements. Neither database/sql nor the driver caches prepared
// statements, and preparing costs about half of a small query, so each pool
// keeps one prepared statement per SQL text (stmtcache.go), for statements
// with parameters, up to a bound. Inside a
// transaction, which holds the only write connection, a statement the cache
// lacks runs unprepared and is prepared when the transaction ends.
//
// Identify uses the shared path: a lookup on the read pool, then, if the
// identity is new, a write transaction that looks again and creates the user
// and its link. Because writers are serialized, two requests for the same
// new device cannot both create it: the second finds the first's account.
//
// Migrations are the files in migrations/, embedded and applied by Open
// (see sqlcore.Store.Migrate). Tables are STRICT, so a value of the wrong
// type is an error rather than silently stored.
package sqlite
