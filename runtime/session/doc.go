// Package session is the engine's view of connected clients: the registry
// of sessions, the presence tracker (who is on which stream) and the router
// that delivers realtime messages to them.
//
// # Delivery
//
// A message for many recipients is encoded at most once per wire format
// (Frames) and the same bytes are handed to every recipient's connection.
// A connection (Conn, implemented by api/ws) queues frames without blocking
// the sender; one that cannot keep up is closed rather than allowed to grow.
// A fan-out ends with Frames.Done, which reports its deliveries to the
// router's Observer (metrics) once, with the envelope, rather than once per
// recipient.
//
// # Presence events
//
// The tracker reports joins and leaves to a handler chosen by stream mode,
// after releasing its lock, in the goroutine that made the change. Chat,
// matches and status register handlers for their modes; other streams get
// stream_presence_event envelopes. Handlers must not block.
//
// # Locks
//
// Registry and Tracker each guard their maps with their own lock, held only
// for map operations: no lock is held while sending, encoding or calling a
// handler, and neither calls the other under its lock.
package session
