// Package notify sends notifications to users: messages from the server or
// another user, each with a subject, a JSON object as content and a code
// (codes of zero and below are reserved for the server, as in Nakama).
//
// # Delivery
//
// Send stores the persistent notifications first, all or none, and only
// then delivers every notification live: one notifications envelope per
// user per call, encoded once per wire format and handed to each of the
// user's sessions on their notifications stream (session.ModeNotifications,
// which every socket joins, hidden, when it opens). A store failure aborts
// the call before anything is delivered, so a client never sees a
// persistent notification that a listing would not show.
//
// Nothing persistent is lost: a notification to a user without a socket is
// stored and listed when they ask (List, GET /v2/notification) until they
// delete it (Delete, DELETE /v2/notification). A notification that is not
// persistent reaches only the sockets open when it is sent.
//
// # Checks
//
// Send checks what a Go caller gives it (user id a UUID, subject not empty,
// content a JSON object, "" standing for {}); codes are not checked here.
// The nk API refuses codes of zero and below from modules, as Nakama does;
// server code (such as chat's direct message request, code -1) may send
// them. The sender id is "" for the server.
package notify
