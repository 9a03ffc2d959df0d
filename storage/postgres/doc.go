// Package postgres is the server store: every storage port of runtime on
// PostgreSQL through pgx's native pool (pgxpool), not database/sql. pgx
// prepares each statement once per connection and caches it, so a repeated
// query is one round trip. The logic and SQL are shared with storage/sqlite
// in storage/internal/sqlcore; this package adds the pool, the migrations,
// the adapter, the recognition of unique violations (SQLSTATE 23505), and
// one query of its own.
//
// Identify in one round trip. Logging in by device or custom id is the most
// frequent write-path request, so Identify with create is a single statement
// (identify.go): a CTE selects the account linked to the identity, a second
// CTE inserts the user only when the first found nothing (a third links the
// device), and the result is whichever row exists, with a flag saying which.
// The statement is atomic; when a concurrent request links the same identity
// or takes the username first, it fails with a unique violation, and only
// then does a second query find the winner's account or report the username
// as taken. TestIdentifyOneStatement checks the statement count with a
// tracer.
//
// Isolation. Transactions run at READ COMMITTED. The shared statements carry
// their preconditions in their WHERE clauses (UPDATE … WHERE version = $v,
// INSERT … ON CONFLICT), and PostgreSQL re-checks those against the newest
// row after waiting for a row lock, so of two writers with the same expected
// version exactly one succeeds. Batches lock rows in key order, so they
// cannot deadlock one another.
//
// Schema and migrations. Config.Schema puts the tables in a schema of their
// own (created if missing, under an advisory lock since concurrent CREATE
// SCHEMA IF NOT EXISTS can fail); tests give each test a random one through
// package pgtest. Migrations are the files in migrations/, embedded and
// applied by Open, each in a transaction holding an advisory lock keyed by
// the schema, so several servers starting at once migrate once. Text keys
// use the "C" collation: listings sort bytewise, as in SQLite, and the
// indexes are cheaper.
package postgres
