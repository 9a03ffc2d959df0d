package main

import "github.com/arbiterhq/arbiter/runtime"

// The fixed part of the annotations: the shapes of the tables modules
// receive and pass (context, presences, storage objects, ...), the
// callbacks a module writes and the match dispatcher. The nk functions
// themselves come from runtime/nk's descriptions; these shapes are what the
// descriptions only tell in prose. shapes_test.go checks every shape that
// the server builds in Go against what it really builds.

// field is one field of a table shape.
type field struct {
	Name     string
	Type     string // a LuaLS type
	Optional bool   // the field may be absent (nil)
	Doc      string
}

// class is a table shape, a LuaLS class.
type class struct {
	Name   string
	Doc    string
	Fields []field
}

// alias is a LuaLS alias: Type, or one of Values (literals) when Values is
// set.
type alias struct {
	Name   string
	Doc    string
	Type   string
	Values []aliasValue
}

type aliasValue struct{ Value, Doc string }

// sig is a function of the fixed part: a callback a module writes, or a
// dispatcher function.
type sig struct {
	Name     string
	Doc      string
	Optional bool // a callback a module may leave out
	Params   []sigParam
	Results  []sigResult
}

type sigParam struct {
	Name     string
	Type     string
	Optional bool
	Default  string // a Lua literal, or ""
	Doc      string
}

type sigResult struct {
	Name     string
	Type     string
	Optional bool // the callback may leave it out
	Doc      string
}

// executionModes are the values of context.execution_mode.
var executionModes = []aliasValue{
	{`"` + runtime.ModeRPC + `"`, "An RPC."},
	{`"` + runtime.ModeMatch + `"`, "A match handler callback."},
	{`"` + runtime.ModeMatchmaker + `"`, "The matchmaker matched hook."},
	{`"` + runtime.ModeRunOnce + `"`, "The function of nk.run_once, and nk.get_context."},
	{`"` + runtime.ModeShutdown + `"`, "The shutdown hook."},
	{`"` + runtime.ModeEvent + `"`, "An event hook (Nakama's; reserved)."},
	{`"` + runtime.ModeBefore + `"`, "A before hook (Nakama's; reserved)."},
	{`"` + runtime.ModeAfter + `"`, "An after hook (Nakama's; reserved)."},
}

func aliases() []alias {
	return []alias{
		{Name: "nk_execution_mode", Doc: "What kind of call a callback's context describes.", Values: executionModes},
		{Name: "nk_match_reload", Doc: "What the running matches of a match module do when a new version of the modules is loaded (hot reload); the policy of the new version decides.",
			Values: []aliasValue{
				{`"keep"`, "The default: running matches finish on the code they started with; new matches use the new version."},
				{`"migrate"`, "At its next tick boundary a running match moves to the new version with its state (match_init and match_join are not called again); it keeps its id, tick, tick rate, label and presences."},
			}},
		{Name: "nk_rpc_function", Type: "fun(context: nk_context, payload: string): string?",
			Doc: "An RPC registered with nk.register_rpc: it receives the request payload and returns the response payload, or nil for an empty one. Raise error(\"msg\") or error({msg, code}) to fail the call."},
		{Name: "nk_matchmaker_matched_function", Type: "fun(context: nk_context, entries: nk_matchmaker_entry[]): string?",
			Doc: "The matchmaker matched hook registered with nk.register_matchmaker_matched: it returns the id of an authoritative match for the matched players (usually from nk.match_create), or nil to let them meet in a relayed match. An error is logged and the players get a relayed match."},
		{Name: "nk_context_function", Type: "fun(context: nk_context)",
			Doc: "A function that receives only the context: the function of nk.run_once and the shutdown hook of nk.register_shutdown. Its results are ignored."},
	}
}

func classes() []class {
	return []class{
		contextClass(),
		{Name: "nk_presence", Doc: "A player in a match: what match handlers receive, what the dispatcher takes, and each matched player of the matchmaker.",
			Fields: []field{
				{Name: "user_id", Type: "string", Doc: "The user id."},
				{Name: "session_id", Type: "string", Doc: "The session id."},
				{Name: "username", Type: "string", Doc: "The username."},
				{Name: "node", Type: "string", Doc: "The node the session is connected to."},
				{Name: "reason", Type: "integer", Optional: true,
					Doc: "Why the presence joined or left, in match_join and match_leave only: 0 unknown, 1 join, 2 update, 3 leave, 4 disconnect."},
			}},
		{Name: "nk_match_message", Doc: "A message a client sent to a match, as match_loop receives it.",
			Fields: []field{
				{Name: "sender", Type: "nk_presence", Doc: "Who sent it."},
				{Name: "op_code", Type: "integer", Doc: "The op code the client chose."},
				{Name: "data", Type: "string", Optional: true, Doc: "The payload; nil when the message has none."},
				{Name: "reliable", Type: "boolean", Doc: "Whether it was sent reliably."},
				{Name: "receive_time_ms", Type: "integer", Doc: "When the server received it, in unix milliseconds."},
			}},
		{Name: "nk_matchmaker_entry", Doc: "One matched player, as the matchmaker matched hook receives it.",
			Fields: []field{
				{Name: "presence", Type: "nk_presence", Doc: "The player."},
				{Name: "properties", Type: "table<string, string|number>", Doc: "The ticket's string and numeric properties in one table."},
			}},
		{Name: "nk_match", Doc: "A match, as nk.match_get and nk.match_list return it.",
			Fields: []field{
				{Name: "match_id", Type: "string", Doc: "The match id, \"<uuid>.<node>\" (\"<uuid>.\" for a relayed match)."},
				{Name: "authoritative", Type: "boolean", Doc: "Whether the server runs the match (a match handler) or it is relayed."},
				{Name: "size", Type: "integer", Doc: "The number of players in it."},
				{Name: "label", Type: "string", Optional: true, Doc: "The match label (authoritative matches only)."},
				{Name: "tick_rate", Type: "integer", Optional: true, Doc: "Ticks per second (authoritative matches only)."},
				{Name: "handler_name", Type: "string", Optional: true, Doc: "The match module's name (authoritative matches only)."},
			}},
		{Name: "nk_storage_object_id", Doc: "Names a storage object to read (nk.storage_read).",
			Fields: []field{
				{Name: "collection", Type: "string", Doc: "The collection; not empty."},
				{Name: "key", Type: "string", Doc: "The key; not empty."},
				{Name: "user_id", Type: "string", Optional: true, Doc: "The owner's user id; absent (or the nil UUID) for the server's objects."},
			}},
		{Name: "nk_storage_delete_id", Doc: "Names a storage object to delete (nk.storage_delete).",
			Fields: []field{
				{Name: "collection", Type: "string", Doc: "The collection; not empty."},
				{Name: "key", Type: "string", Doc: "The key; not empty."},
				{Name: "user_id", Type: "string", Optional: true, Doc: "The owner's user id; absent (or the nil UUID) for the server's objects."},
				{Name: "version", Type: "string", Optional: true, Doc: "Delete only if the object has this version."},
			}},
		{Name: "nk_storage_write", Doc: "A storage object to write (nk.storage_write).",
			Fields: []field{
				{Name: "collection", Type: "string", Doc: "The collection; not empty."},
				{Name: "key", Type: "string", Doc: "The key; not empty."},
				{Name: "user_id", Type: "string", Optional: true, Doc: "The owner's user id; absent (or the nil UUID) for the server's objects."},
				{Name: "value", Type: "table", Doc: "The value, stored as a JSON object."},
				{Name: "version", Type: "string", Optional: true, Doc: "The version the stored object must have, or \"*\" to write only if there is no stored object."},
				{Name: "permission_read", Type: "integer", Optional: true, Doc: "0 no read, 1 owner read, 2 public read. Default 1."},
				{Name: "permission_write", Type: "integer", Optional: true, Doc: "0 no write, 1 owner write. Default 1."},
			}},
		{Name: "nk_storage_ack", Doc: "A written object's new version (nk.storage_write).",
			Fields: []field{
				{Name: "collection", Type: "string", Doc: "The collection."},
				{Name: "key", Type: "string", Doc: "The key."},
				{Name: "user_id", Type: "string", Doc: "The owner's user id; the nil UUID for the server."},
				{Name: "version", Type: "string", Doc: "The object's new version."},
			}},
		{Name: "nk_storage_object", Doc: "A storage object, as nk.storage_read and nk.storage_list return it.",
			Fields: []field{
				{Name: "collection", Type: "string", Doc: "The collection."},
				{Name: "key", Type: "string", Doc: "The key."},
				{Name: "user_id", Type: "string", Doc: "The owner's user id; the nil UUID for the server."},
				{Name: "version", Type: "string", Doc: "The object's version."},
				{Name: "permission_read", Type: "integer", Doc: "0 no read, 1 owner read, 2 public read."},
				{Name: "permission_write", Type: "integer", Doc: "0 no write, 1 owner write."},
				{Name: "create_time", Type: "integer", Doc: "When it was created, in unix seconds."},
				{Name: "update_time", Type: "integer", Doc: "When it was last written, in unix seconds."},
				{Name: "value", Type: "table<string, any>", Doc: "The decoded JSON object."},
			}},
		{Name: "nk_notification", Doc: "A notification to send (nk.notifications_send); the fields mean what nk.notification_send's arguments mean.",
			Fields: []field{
				{Name: "user_id", Type: "string", Doc: "The recipient's user id."},
				{Name: "subject", Type: "string", Doc: "The subject; not empty."},
				{Name: "content", Type: "table", Doc: "Sent as the JSON object content."},
				{Name: "code", Type: "integer", Doc: "The notification code; above 0."},
				{Name: "sender_id", Type: "string", Optional: true, Doc: "The sending user's id; absent for the server."},
				{Name: "persistent", Type: "boolean", Optional: true, Doc: "Whether to store the notification. Default false."},
			}},
		{Name: "nk_stream", Doc: "A stream: the channel presences join and stream messages go to.",
			Fields: []field{
				{Name: "mode", Type: "integer", Doc: "The stream mode, 0-255. Modes 0-7 are the server's own streams (notifications, status, chat channel, group, direct chat, relayed match, authoritative match, party)."},
				{Name: "subject", Type: "string", Optional: true, Doc: "A UUID."},
				{Name: "subcontext", Type: "string", Optional: true, Doc: "A UUID."},
				{Name: "label", Type: "string", Optional: true, Doc: "A label."},
			}},
		{Name: "nk_stream_meta", Doc: "A session's presence on a stream (nk.stream_user_get).",
			Fields: []field{
				{Name: "hidden", Type: "boolean", Doc: "Whether the presence is hidden."},
				{Name: "persistence", Type: "boolean", Doc: "Whether its messages on the stream are stored."},
				{Name: "username", Type: "string", Doc: "The user's username."},
				{Name: "status", Type: "string", Doc: "The presence's status."},
			}},
		{Name: "nk_stream_presence", Doc: "A presence on a stream (nk.stream_user_list).",
			Fields: []field{
				{Name: "user_id", Type: "string", Doc: "The user id."},
				{Name: "session_id", Type: "string", Doc: "The session id."},
				{Name: "node", Type: "string", Doc: "The node the session is connected to."},
				{Name: "hidden", Type: "boolean", Doc: "Whether the presence is hidden."},
				{Name: "persistence", Type: "boolean", Doc: "Whether its messages on the stream are stored."},
				{Name: "username", Type: "string", Doc: "The user's username."},
				{Name: "status", Type: "string", Doc: "The presence's status."},
			}},
		{Name: "nk_stream_target", Doc: "A session to send stream data to (nk.stream_send); a presence from a match or from nk.stream_user_list does too.",
			Fields: []field{
				{Name: "session_id", Type: "string", Doc: "The session id."},
				{Name: "node", Type: "string", Optional: true, Doc: "The session's node; absent for this one."},
			}},
		userClass("nk_user", "A user, as nk.users_get_id returns it and nk_account holds it.", nil),
		userClass("nk_account", "A user's account (nk.account_get_id): the user's fields, and the account's.", []field{
			{Name: "user", Type: "nk_user", Doc: "The user, as a table of its own."},
			{Name: "wallet", Type: "table<string, integer>", Doc: "The wallet: currency name to amount."},
			{Name: "email", Type: "string", Optional: true, Doc: "The email address, when set."},
			{Name: "devices", Type: "{ id: string }[]", Optional: true, Doc: "The linked device ids, when there are any."},
			{Name: "custom_id", Type: "string", Optional: true, Doc: "The custom id, when set."},
			{Name: "verify_time", Type: "integer", Optional: true, Doc: "When the email was verified, in unix seconds, when it was."},
			{Name: "disable_time", Type: "integer", Optional: true, Doc: "When the account was disabled, in unix seconds, when it was."},
		}),
		{Name: "nk_date", Doc: "A UTC date and time (nk.time).",
			Fields: []field{
				{Name: "year", Type: "integer", Doc: "The year."},
				{Name: "month", Type: "integer", Doc: "The month, 1-12."},
				{Name: "day", Type: "integer", Doc: "The day of the month, 1-31."},
				{Name: "hour", Type: "integer", Optional: true, Doc: "The hour, 0-23. Default 12."},
				{Name: "min", Type: "integer", Optional: true, Doc: "The minute. Default 0."},
				{Name: "sec", Type: "integer", Optional: true, Doc: "The second. Default 0."},
				{Name: "msec", Type: "integer", Optional: true, Doc: "The millisecond. Default 0."},
			}},
	}
}

func contextClass() class {
	return class{
		Name: "nk_context",
		Doc:  "The context table every callback receives first: who calls and in which situation. Fields that do not apply to the call are absent.",
		Fields: []field{
			{Name: "env", Type: "table<string, string>", Doc: "The server's runtime environment (the -env option)."},
			{Name: "execution_mode", Type: "nk_execution_mode", Doc: "What kind of call this is."},
			{Name: "node", Type: "string", Doc: "The name of this server node."},
			{Name: "version", Type: "string", Doc: "The server version."},
			{Name: "headers", Type: "table<string, string[]>", Doc: "The HTTP headers of an RPC called over HTTP (without Authorization); empty otherwise."},
			{Name: "query_params", Type: "table<string, string[]>", Doc: "The query parameters of an RPC called over HTTP (without http_key); empty otherwise."},
			{Name: "user_id", Type: "string", Optional: true, Doc: "The calling user's id, when a user calls."},
			{Name: "username", Type: "string", Optional: true, Doc: "The calling user's username, when a user calls."},
			{Name: "vars", Type: "table<string, string>", Optional: true, Doc: "The variables of the user's session token, when there are any."},
			{Name: "user_session_exp", Type: "integer", Optional: true, Doc: "When the user's session token expires, in unix seconds, when a user calls."},
			{Name: "session_id", Type: "string", Optional: true, Doc: "The user's socket session id, when the call comes over a socket."},
			{Name: "lang", Type: "string", Optional: true, Doc: "The language tag of the user's socket session, when known."},
			{Name: "client_ip", Type: "string", Optional: true, Doc: "The client's IP address, when known."},
			{Name: "client_port", Type: "string", Optional: true, Doc: "The client's port, when known."},
			{Name: "match_id", Type: "string", Optional: true, Doc: "The match id, in a match handler."},
			{Name: "match_node", Type: "string", Optional: true, Doc: "The node running the match, in a match handler."},
			{Name: "match_label", Type: "string", Optional: true, Doc: "The match label, in a match handler once match_init has returned; it follows dispatcher.match_label_update."},
			{Name: "match_tick_rate", Type: "integer", Optional: true, Doc: "The match's ticks per second, in a match handler once match_init has returned."},
			{Name: "trace_id", Type: "string", Optional: true, Doc: "An id tying together the server logs of one request, when there is one."},
		},
	}
}

// userClass returns the user table shape, with more fields for an account.
func userClass(name, doc string, more []field) class {
	fields := []field{
		{Name: "user_id", Type: "string", Doc: "The user id."},
		{Name: "username", Type: "string", Doc: "The username."},
		{Name: "display_name", Type: "string", Doc: "The display name; \"\" when unset."},
		{Name: "avatar_url", Type: "string", Doc: "The avatar URL; \"\" when unset."},
		{Name: "lang_tag", Type: "string", Doc: "The language tag."},
		{Name: "location", Type: "string", Doc: "The location; \"\" when unset."},
		{Name: "timezone", Type: "string", Doc: "The timezone; \"\" when unset."},
		{Name: "online", Type: "boolean", Doc: "Whether the user has a socket connected."},
		{Name: "edge_count", Type: "integer", Doc: "The number of friends."},
		{Name: "create_time", Type: "integer", Doc: "When the user was created, in unix seconds."},
		{Name: "update_time", Type: "integer", Doc: "When the user was last changed, in unix seconds."},
		{Name: "metadata", Type: "table<string, any>", Doc: "The user's metadata (a decoded JSON object)."},
	}
	return class{Name: name, Doc: doc, Fields: append(fields, more...)}
}

// The match handler: what a match module returns.

const stateDoc = "The match state, as the previous callback returned it."

func handlerCommon(contextDoc string) []sigParam {
	if contextDoc == "" {
		contextDoc = "The match's context (match_id, match_label, ...)."
	}
	return []sigParam{
		{Name: "context", Type: "nk_context", Doc: contextDoc},
		{Name: "dispatcher", Type: "nk_dispatcher", Doc: "Sends messages, kicks players and updates the label."},
		{Name: "tick", Type: "integer", Doc: "The tick number: the first match_loop gets 0, each later tick one more."},
		{Name: "state", Type: "any", Doc: stateDoc},
	}
}

func stateResult(end string) sigResult {
	return sigResult{Name: "state", Type: "any", Doc: "The new match state; nil " + end + "."}
}

// handlerCallbacks are the callbacks of a match handler, in the order the
// server checks them. match_signal is optional.
func handlerCallbacks() []sig {
	return []sig{
		{
			Name: "match_init",
			Doc:  "Called once when the match is created (nk.match_create), before anyone can join.",
			Params: []sigParam{
				{Name: "context", Type: "nk_context", Doc: "The match's context."},
				{Name: "params", Type: "table<string, any>", Doc: "The params given to nk.match_create (a copy); an empty table when none."},
			},
			Results: []sigResult{
				{Name: "state", Type: "any", Doc: "The initial match state; must not be nil."},
				{Name: "tick_rate", Type: "integer", Doc: "Ticks per second, 1-60."},
				{Name: "label", Type: "string", Doc: "The match label (at most 2048 bytes), which nk.match_list queries search; a JSON object makes its fields searchable."},
			},
		},
		{
			Name: "match_join_attempt",
			Doc:  "Called when a user asks to join; decides whether they may.",
			Params: append(handlerCommon("The match's context with the joining user's fields (user_id, username, session_id, vars, ...)."),
				sigParam{Name: "presence", Type: "nk_presence", Doc: "The user asking to join."},
				sigParam{Name: "metadata", Type: "table<string, string>", Doc: "The metadata the client sent with its join request."},
			),
			Results: []sigResult{
				stateResult("ends the match"),
				{Name: "accept", Type: "boolean", Doc: "Whether the user may join."},
				{Name: "reason", Type: "string", Optional: true, Doc: "Why the user was refused, sent to the client."},
			},
		},
		{
			Name:    "match_join",
			Doc:     "Called with the users who joined since the last call.",
			Params:  append(handlerCommon(""), sigParam{Name: "presences", Type: "nk_presence[]", Doc: "The users who joined (reason set)."}),
			Results: []sigResult{stateResult("ends the match")},
		},
		{
			Name:    "match_leave",
			Doc:     "Called with the users who left (or were kicked or disconnected) since the last call.",
			Params:  append(handlerCommon(""), sigParam{Name: "presences", Type: "nk_presence[]", Doc: "The users who left (reason set)."}),
			Results: []sigResult{stateResult("ends the match")},
		},
		{
			Name:    "match_loop",
			Doc:     "Called every tick with the messages received since the previous tick.",
			Params:  append(handlerCommon(""), sigParam{Name: "messages", Type: "nk_match_message[]", Doc: "The messages, oldest first."}),
			Results: []sigResult{stateResult("ends the match")},
		},
		{
			Name:    "match_terminate",
			Doc:     "Called when the server shuts down gracefully; the match is stopped grace_seconds later, or as soon as it ends itself.",
			Params:  append(handlerCommon(""), sigParam{Name: "grace_seconds", Type: "integer", Doc: "Seconds left before the match is stopped."}),
			Results: []sigResult{stateResult("ends the match at once")},
		},
		{
			Name:     "match_signal",
			Optional: true,
			Doc:      "Called by nk.match_signal with its data; what it returns is nk.match_signal's result. Optional in Arbiter (Nakama requires it): without it, signals to the match fail and the match goes on.",
			Params:   append(handlerCommon(""), sigParam{Name: "data", Type: "string", Doc: "The data passed to nk.match_signal."}),
			Results: []sigResult{
				stateResult("ends the match"),
				{Name: "result", Type: "string", Optional: true, Doc: "The answer to the signal; nil for \"\"."},
			},
		},
	}
}

// handlerReload is the reload field of a match handler.
var handlerReload = field{Name: "reload", Type: "nk_match_reload", Optional: true,
	Doc: "What running matches of this module do when a new version of the modules is loaded: \"keep\" (the default) or \"migrate\"."}

// dispatcherFuncs are the functions of the match dispatcher.
func dispatcherFuncs() []sig {
	broadcast := func(name, doc string) sig {
		return sig{
			Name: name, Doc: doc,
			Params: []sigParam{
				{Name: "op_code", Type: "integer", Doc: "The op code, for the clients to tell messages apart."},
				{Name: "data", Type: "string", Optional: true, Doc: "The payload; nil for none."},
				{Name: "presences", Type: "nk_presence[]", Optional: true, Doc: "The players to send to (session_id and node needed); nil for every player of the match. An empty list sends nothing."},
				{Name: "sender", Type: "nk_presence", Optional: true, Doc: "The player shown as the sender (user_id, session_id and username needed); nil for the server."},
				{Name: "reliable", Type: "boolean", Optional: true, Default: "true", Doc: "Whether to send reliably."},
			},
		}
	}
	return []sig{
		broadcast("broadcast_message", "Sends a message to the match's players now."),
		broadcast("broadcast_message_deferred", "Sends a message to the match's players once the current callback has returned successfully (the messages of a failed callback are dropped)."),
		{
			Name: "match_kick", Doc: "Removes players from the match; match_leave follows.",
			Params: []sigParam{{Name: "presences", Type: "nk_presence[]", Doc: "The players to remove (user_id, session_id and node needed)."}},
		},
		{
			Name: "match_label_update", Doc: "Sets the match label; context.match_label follows at once.",
			Params: []sigParam{{Name: "label", Type: "string", Optional: true, Default: `""`, Doc: "The new label (at most 2048 bytes)."}},
		},
	}
}
