// Package sqlcore is the persistence logic that storage/sqlite and
// storage/postgres share: every port of runtime written once, in SQL that
// both databases run unchanged, over a four-method query interface (Exec,
// Query, QueryRow and a transaction) that each store package adapts its
// driver to.
//
// Why one core: the semantics of identities, accounts and especially storage
// objects (version preconditions, permissions, atomic batches, cursors) are
// subtle, and two copies would drift. What truly differs between the
// databases is small and passed in as a Dialect: the migration files, how a
// unique violation looks, and the lock that serializes migrations. A store
// package may still replace a method with one better suited to its database;
// storage/postgres does so for Identify.
//
// Portable SQL: numbered placeholders ($1), INSERT … ON CONFLICT (upsert),
// RETURNING, row-value comparison for cursors, and portable column types:
// TEXT ids, BIGINT microseconds since the epoch for times (0 means unset),
// TEXT for JSON. JSON stays TEXT on purpose: an object's version is the MD5
// of its exact bytes, which a normalizing JSON type would not keep.
//
// Reads go to DB.Read and single writing statements to DB.Write, so SQLite can
// keep a pool of readers beside its one writer. A batch of object writes or
// deletes runs in one transaction, in key order so that concurrent batches
// lock rows in the same order and cannot deadlock; a batch of one runs as a
// single statement, which is atomic by itself. Preconditions are part of the
// writing statement (UPDATE … WHERE version = $v, INSERT … ON CONFLICT DO
// NOTHING), so of two concurrent writers with the same expected version
// exactly one wins, under SQLite's single writer and PostgreSQL's row locks
// alike. Only when a statement changes nothing is the row read again, to say
// whether the version or the permission was at fault.
//
// Cursors are opaque to clients: unpadded URL-safe base64 of a small JSON
// struct holding the position of the last row listed, compared as a row
// value in the query. Notifications and channel messages are listed by
// (create_time, id); a message cursor also carries its channel and
// direction, and one that does not match the request is refused, as in
// Nakama. A notification for an unknown user, or a message of a channel no
// one can join, is kept harmlessly: neither table has a foreign key, since
// the server (sender "") has no user row.
//
// Migrations: each store embeds its NNNN_name.sql files. Migrate records the
// applied versions in arbiter_migrations and applies the missing ones in
// order, each in a transaction with its record, under the dialect's lock.
package sqlcore
