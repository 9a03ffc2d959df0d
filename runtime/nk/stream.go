package nk

import (
	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/session"
)

// The stream group: presences on streams through the session registry,
// tracker and router, and session_disconnect.
//
// A stream table is {mode, subject?, subcontext?, label?}: mode a number
// 0-255, subject and subcontext UUIDs, label a string. Nakama reports a bad
// stream table of stream_send, stream_count and stream_close against
// argument #3 whatever its position; here the stream's own position is
// reported.

const streamDoc = "The stream: a table {mode, subject?, subcontext?, label?} (mode a number 0-255, subject and subcontext UUIDs, label a string)."

func streamParam() Param { return Param{Name: "stream", Type: TypeTable, Doc: streamDoc} }

func presenceIDParams() []Param {
	return []Param{
		{Name: "user_id", Type: TypeString, Doc: "The user id of the session's user."},
		{Name: "session_id", Type: TypeString, Doc: "The session id; the session must be connected to this server."},
		streamParam(),
	}
}

func metaParams() []Param {
	return []Param{
		{Name: "hidden", Type: TypeBool, Optional: true, Default: false, Doc: "Whether the presence is hidden: not listed by default and without presence events. Default false."},
		{Name: "persistence", Type: TypeBool, Optional: true, Default: true, Doc: "Whether messages the presence sends on the stream are stored, if the stream stores any. Default true."},
		{Name: "status", Type: TypeString, Optional: true, Default: "", Doc: "A status string for the presence. Default \"\"."},
	}
}

func (a *API) streamFuncs() []*Func {
	return append(a.streamUserFuncs(), a.streamOtherFuncs()...)
}

func (a *API) streamUserFuncs() []*Func {
	return []*Func{
		{
			Name:    "stream_user_join",
			Doc:     "Adds a session to a stream; other presences see a join unless it is hidden. A session already on the stream keeps its presence.",
			Params:  append(presenceIDParams(), metaParams()...),
			Results: []Result{{Name: "joined", Type: TypeBool, Doc: "true if the session was added, false if it was already on the stream."}},
			Run:     a.streamUserJoin,
		},
		{
			Name:   "stream_user_update",
			Doc:    "Sets the presence of a session on a stream, adding it if absent; others see the old presence leave and the new one join.",
			Params: append(presenceIDParams(), metaParams()...),
			Run:    a.streamUserUpdate,
		},
		{
			Name:   "stream_user_leave",
			Doc:    "Removes a session from a stream. Nothing happens if it is not on it.",
			Params: presenceIDParams(),
			Run:    a.streamUserLeave,
		},
		{
			Name:   "stream_user_get",
			Doc:    "Returns the presence of a session on a stream.",
			Params: presenceIDParams(),
			Results: []Result{{Name: "meta", Type: TypeMap, Nilable: true,
				Doc: "A table {hidden, persistence, username, status}, or nil if the session is not on the stream."}},
			Run: a.streamUserGet,
		},
		{
			Name: "stream_user_list",
			Doc:  "Lists the presences on a stream.",
			Params: []Param{
				streamParam(),
				{Name: "include_hidden", Type: TypeBool, Optional: true, Default: true, Doc: "Whether to list hidden presences. Default true."},
				{Name: "include_not_hidden", Type: TypeBool, Optional: true, Default: true, Doc: "Whether to list presences that are not hidden. Default true."},
			},
			Results: []Result{{Name: "presences", Type: TypeList,
				Doc: "A list of tables {user_id, session_id, node, hidden, persistence, username, status}."}},
			Run: a.streamUserList,
		},
	}
}

func (a *API) streamOtherFuncs() []*Func {
	return []*Func{
		{
			Name: "stream_send",
			Doc:  "Sends data to the presences of a stream (hidden ones included), or to the listed sessions, as a stream_data message without sender.",
			Params: []Param{
				streamParam(),
				{Name: "data", Type: TypeString, Doc: "The data to send; may be empty."},
				{Name: "presences", Type: TypeTable, Optional: true,
					Doc: "A list of tables {session_id, node?} to send to instead of the whole stream; nil or empty for the whole stream."},
				{Name: "reliable", Type: TypeBool, Optional: true, Default: true, Doc: "Whether the message is sent reliably. Default true."},
			},
			Run: a.streamSend,
		},
		{
			Name:    "stream_count",
			Doc:     "Returns the number of presences on a stream, hidden ones included.",
			Params:  []Param{streamParam()},
			Results: []Result{{Name: "count", Type: TypeInt, Doc: "The number of presences."}},
			Run:     a.streamCount,
		},
		{
			Name:   "stream_close",
			Doc:    "Removes every presence from a stream, without presence events.",
			Params: []Param{streamParam()},
			Run:    a.streamClose,
		},
		{
			Name: "session_disconnect",
			Doc:  "Disconnects a session of this server; its presences leave with the given reason. Nothing happens if it is not connected.",
			Params: []Param{
				{Name: "session_id", Type: TypeString, Doc: "The session id."},
				{Name: "reason", Type: TypeInt, Optional: true, Default: int64(0),
					Doc: "The presence leave reason: 0 unknown (reported as 4), 1 join, 2 update, 3 leave, 4 disconnect. Default 0."},
			},
			Run: a.sessionDisconnect,
		},
	}
}

// parseStream checks a stream table, argument n of fn.
func parseStream(fn string, n int, v any) (session.Stream, error) {
	var st session.Stream
	m, _ := v.(map[string]any)
	if mode, present := m["mode"]; present {
		x, ok := AsInt(mode)
		if f, isFloat := mode.(float64); isFloat && !ok {
			x, ok = int64(f), true
		}
		if !ok {
			return st, badArg(fn, n, "stream mode must be a number")
		}
		if x < 0 || x > 255 {
			return st, badArg(fn, n, "stream mode must be between 0 and 255")
		}
		st.Mode = uint8(x)
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"subject", &st.Subject}, {"subcontext", &st.Subcontext}} {
		if err := streamUUID(fn, n, m, f.name, f.dst); err != nil {
			return st, err
		}
	}
	if label, present := m["label"]; present {
		s, ok := label.(string)
		if !ok {
			return st, badArg(fn, n, "stream label must be a string")
		}
		st.Label = s
	}
	return st, nil
}

func streamUUID(fn string, n int, m map[string]any, name string, dst *string) error {
	v, present := m[name]
	if !present {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return badArg(fn, n, "stream "+name+" must be a string")
	}
	if !runtime.ValidUUID(s) {
		return badArg(fn, n, "stream "+name+" must be a valid identifier")
	}
	*dst = s
	return nil
}

// checkIDs checks a user id and a session id, arguments 1 and 2 of fn.
func checkIDs(fn, userID, sessionID string) error {
	switch {
	case userID == "":
		return badArg(fn, 1, "expects user id")
	case !runtime.ValidUUID(userID):
		return badArg(fn, 1, "expects valid user id")
	}
	return checkSessionID(fn, 2, sessionID)
}

func checkSessionID(fn string, n int, sessionID string) error {
	switch {
	case sessionID == "":
		return badArg(fn, n, "expects session id")
	case !runtime.ValidUUID(sessionID):
		return badArg(fn, n, "expects valid session id")
	}
	return nil
}

// presenceArgs are the checked (user_id, session_id, stream) arguments.
type presenceArgs struct {
	sess   *session.Session // nil when no such session of that user
	stream session.Stream
}

func (a *API) presenceArgs(fn string, args []any) (presenceArgs, error) {
	var p presenceArgs
	userID, sessionID := args[0].(string), args[1].(string)
	if err := checkIDs(fn, userID, sessionID); err != nil {
		return p, err
	}
	st, err := parseStream(fn, 3, args[2])
	if err != nil {
		return p, err
	}
	if a.d.Sessions == nil || a.d.Tracker == nil {
		return p, unavailable(fn)
	}
	p.stream = st
	if s := a.d.Sessions.Get(sessionID); s != nil && s.UserID == userID {
		p.sess = s
	}
	return p, nil
}

func metaOf(s *session.Session, args []any) session.Meta {
	return session.Meta{Hidden: args[3].(bool), Persistence: args[4].(bool), Username: s.Username, Status: args[5].(string)}
}

func (a *API) streamUserJoin(_ *Call, args []any) ([]any, error) {
	p, err := a.presenceArgs("stream_user_join", args)
	if err != nil {
		return nil, err
	}
	if p.sess == nil {
		return nil, badArg("stream_user_join", 2, "session id does not exist")
	}
	added := a.d.Tracker.Track(p.sess, p.stream, metaOf(p.sess, args))
	if !added && p.sess.Closed() {
		return nil, Errorf("tracker rejected new presence, session is closing")
	}
	return []any{added}, nil
}

func (a *API) streamUserUpdate(_ *Call, args []any) ([]any, error) {
	p, err := a.presenceArgs("stream_user_update", args)
	if err != nil {
		return nil, err
	}
	if p.sess == nil {
		return nil, badArg("stream_user_update", 2, "session id does not exist")
	}
	if !a.d.Tracker.Update(p.sess, p.stream, metaOf(p.sess, args)) {
		return nil, Errorf("tracker rejected updated presence, session is closing")
	}
	return nil, nil
}

func (a *API) streamUserLeave(_ *Call, args []any) ([]any, error) {
	p, err := a.presenceArgs("stream_user_leave", args)
	if err != nil || p.sess == nil {
		return nil, err
	}
	a.d.Tracker.Untrack(p.sess, p.stream, session.ReasonLeave)
	return nil, nil
}

func (a *API) streamUserGet(_ *Call, args []any) ([]any, error) {
	p, err := a.presenceArgs("stream_user_get", args)
	if err != nil {
		return nil, err
	}
	if p.sess == nil {
		return []any{nil}, nil
	}
	m, ok := a.d.Tracker.Get(p.sess, p.stream)
	if !ok {
		return []any{nil}, nil
	}
	return []any{map[string]any{
		"hidden": m.Hidden, "persistence": m.Persistence, "username": m.Username, "status": m.Status,
	}}, nil
}

func (a *API) streamUserList(_ *Call, args []any) ([]any, error) {
	st, err := parseStream("stream_user_list", 1, args[0])
	if err != nil {
		return nil, err
	}
	if a.d.Tracker == nil {
		return nil, unavailable("stream_user_list")
	}
	hidden, notHidden := args[1].(bool), args[2].(bool)
	out := []any{}
	for _, p := range a.d.Tracker.List(st, hidden) {
		if !p.Meta.Hidden && !notHidden {
			continue
		}
		out = append(out, map[string]any{
			"user_id": p.Session.UserID, "session_id": p.Session.ID, "node": a.d.Node,
			"hidden": p.Meta.Hidden, "persistence": p.Meta.Persistence,
			"username": p.Meta.Username, "status": p.Meta.Status,
		})
	}
	return []any{out}, nil
}

func (a *API) streamSend(_ *Call, args []any) ([]any, error) {
	st, err := parseStream("stream_send", 1, args[0])
	if err != nil {
		return nil, err
	}
	targets, err := a.sendTargets(listElems(args[2]))
	if err != nil {
		return nil, err
	}
	if a.d.Tracker == nil || a.d.Router == nil || a.d.Sessions == nil {
		return nil, unavailable("stream_send")
	}
	env := &rtapi.Envelope{Message: &rtapi.Envelope_StreamData{StreamData: &rtapi.StreamData{
		Stream: st.Wire(), Data: args[1].(string), Reliable: args[3].(bool),
	}}}
	if targets == nil {
		a.d.Router.SendStream(a.d.Tracker, st, env)
		return nil, nil
	}
	var to []*session.Session
	for _, id := range targets {
		if s := a.d.Sessions.Get(id); s != nil {
			to = append(to, s)
		}
	}
	a.d.Router.SendAll(to, env)
	return nil, nil
}

// sendTargets checks stream_send's presences and returns the session ids
// of this node among them, each once; nil means the whole stream.
func (a *API) sendTargets(elems []any) ([]string, error) {
	if len(elems) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(elems))
	seen := make(map[string]bool, len(elems))
	for _, e := range elems {
		id, node, err := parseSendPresence(e)
		if err != nil {
			return nil, err
		}
		if (node == "" || node == a.d.Node) && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func parseSendPresence(e any) (id, node string, err error) {
	m, ok := e.(map[string]any)
	if !ok {
		if _, isList := e.([]any); !isList {
			return "", "", badArg("stream_send", 3, "expects a valid set of presences")
		}
	}
	if v, present := m["session_id"]; present {
		s, ok := v.(string)
		if !ok {
			return "", "", badArg("stream_send", 3, "presence session id must be a string")
		}
		if !runtime.ValidUUID(s) {
			return "", "", badArg("stream_send", 3, "presence session id must be a valid identifier")
		}
		id = s
	}
	if v, present := m["node"]; present {
		s, ok := v.(string)
		if !ok {
			return "", "", badArg("stream_send", 3, "presence node must be a string")
		}
		node = s
	}
	return id, node, nil
}

func (a *API) streamCount(_ *Call, args []any) ([]any, error) {
	st, err := parseStream("stream_count", 1, args[0])
	if err != nil {
		return nil, err
	}
	if a.d.Tracker == nil {
		return nil, unavailable("stream_count")
	}
	return []any{int64(a.d.Tracker.Count(st))}, nil
}

func (a *API) streamClose(_ *Call, args []any) ([]any, error) {
	st, err := parseStream("stream_close", 1, args[0])
	if err != nil {
		return nil, err
	}
	if a.d.Tracker == nil {
		return nil, unavailable("stream_close")
	}
	a.d.Tracker.UntrackStream(st)
	return nil, nil
}

func (a *API) sessionDisconnect(_ *Call, args []any) ([]any, error) {
	id, reason := args[0].(string), args[1].(int64)
	if err := checkSessionID("session_disconnect", 1, id); err != nil {
		return nil, err
	}
	if reason < 0 || reason > int64(session.ReasonDisconnect) {
		return nil, badArg("session_disconnect", 2, "invalid disconnect reason, must be a value 0-4")
	}
	if reason == 0 {
		reason = int64(session.ReasonDisconnect)
	}
	if a.d.Sessions == nil || a.d.Tracker == nil {
		return nil, unavailable("session_disconnect")
	}
	s := a.d.Sessions.Get(id)
	if s == nil {
		return nil, nil
	}
	// Leave every stream with the chosen reason before the connection's
	// own cleanup, which then finds nothing left to untrack.
	s.MarkClosed()
	a.d.Tracker.UntrackAll(s, uint8(reason))
	s.Close("disconnected by the server")
	return nil, nil
}
