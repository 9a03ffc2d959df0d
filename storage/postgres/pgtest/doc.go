// Package pgtest gives tests a PostgreSQL store of their own: a fresh schema
// in the test database, dropped when the test ends. Any package whose tests
// need PostgreSQL uses Open (or Require and Schema), so that connecting,
// skipping and cleaning up are decided in one place.
//
// The database is $ARBITER_TEST_DATABASE, or DefaultURL when that is unset.
// When it cannot be reached the test is skipped with a message saying so,
// except under CI=true, where it fails: CI must not pass by skipping.
package pgtest
