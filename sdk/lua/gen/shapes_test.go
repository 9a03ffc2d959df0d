package main

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/account"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/matchmaker"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/runtime/object"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/storage/sqlite"
	luavm "github.com/arbiterhq/arbiter/vm/lua"
	"github.com/arbiterhq/arbiter/vm/vmtest"
)

// The shapes of shapes.go against the tables the server really builds: a
// table may hold only the fields its class declares, must hold the fields
// the class requires, and when it is built with every optional part, must
// hold all of them; each value must fit its field's type.

type shapeChecker struct {
	t       *testing.T
	classes map[string]class
	aliases map[string]alias
	sink    *[]string // collects the errors instead of t, to try a union's alternatives
}

func (c *shapeChecker) errorf(format string, args ...any) {
	c.t.Helper()
	if c.sink != nil {
		*c.sink = append(*c.sink, format)
		return
	}
	c.t.Errorf(format, args...)
}

func newShapeChecker(t *testing.T) *shapeChecker {
	c := &shapeChecker{t: t, classes: map[string]class{}, aliases: map[string]alias{}}
	for _, cl := range classes() {
		c.classes[cl.Name] = cl
	}
	for _, a := range aliases() {
		c.aliases[a.Name] = a
	}
	return c
}

// table checks a table against class name; full requires every optional
// field too.
func (c *shapeChecker) table(where string, v any, name string, full bool) {
	c.t.Helper()
	cl, ok := c.classes[name]
	if !ok {
		c.t.Fatalf("%s: no class %s", where, name)
	}
	c.fields(where, v, cl.Fields, full)
}

func (c *shapeChecker) fields(where string, v any, fields []field, full bool) {
	c.t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		c.errorf("%s: got %T, want a table with keys", where, v)
		return
	}
	declared := map[string]field{}
	for _, f := range fields {
		declared[f.Name] = f
		val, present := m[f.Name]
		switch {
		case !present && !f.Optional:
			c.errorf("%s: required field %s is absent", where, f.Name)
		case !present && full:
			c.errorf("%s: optional field %s is absent though every part was set", where, f.Name)
		case present:
			c.value(where+"."+f.Name, val, f.Type)
		}
	}
	for k := range m {
		if _, ok := declared[k]; !ok {
			c.errorf("%s: field %s is not declared", where, k)
		}
	}
}

// value checks that v fits the LuaLS type typ.
func (c *shapeChecker) value(where string, v any, typ string) {
	c.t.Helper()
	if !c.fits(where, v, strings.TrimSuffix(typ, "?")) {
		c.errorf("%s: %#v does not fit %s", where, v, typ)
	}
}

func (c *shapeChecker) fits(where string, v any, typ string) bool {
	if alts := splitTop(typ, '|'); len(alts) > 1 {
		for _, a := range alts {
			var errs []string
			try := *c
			try.sink = &errs
			if try.fits(where, v, a) && len(errs) == 0 {
				return true
			}
		}
		return false
	}
	if strings.HasPrefix(typ, "(") && strings.HasSuffix(typ, ")") {
		return c.fits(where, v, typ[1:len(typ)-1])
	}
	if elem, ok := strings.CutSuffix(typ, "[]"); ok {
		if m, isMap := v.(map[string]any); isMap && len(m) == 0 {
			return true // an empty table
		}
		l, isList := v.([]any)
		if !isList {
			return false
		}
		for i, e := range l {
			c.value(where+"["+itoa(i+1)+"]", e, elem)
		}
		return true
	}
	if kv, ok := strings.CutPrefix(typ, "table<"); ok {
		parts := splitTop(strings.TrimSuffix(kv, ">"), ',')
		m, isMap := v.(map[string]any)
		if l, isList := v.([]any); isList && len(l) == 0 {
			return true
		}
		if !isMap || len(parts) != 2 || strings.TrimSpace(parts[0]) != "string" {
			return false
		}
		for k, e := range m {
			c.value(where+"."+k, e, strings.TrimSpace(parts[1]))
		}
		return true
	}
	if strings.HasPrefix(typ, "{") {
		var fs []field
		for _, p := range splitTop(strings.Trim(typ, "{} "), ',') {
			name, t, _ := strings.Cut(strings.TrimSpace(p), ": ")
			n, opt := strings.CutSuffix(name, "?")
			fs = append(fs, field{Name: n, Type: t, Optional: opt})
		}
		c.fields(where, v, fs, false)
		return true
	}
	switch typ {
	case "any":
		return true
	case "nil":
		return v == nil
	case "string":
		_, ok := nk.AsString(v)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		switch x := v.(type) {
		case int64:
			return true
		case float64:
			return x == math.Trunc(x)
		}
		return false
	case "number":
		switch v.(type) {
		case int64, float64:
			return true
		}
		return false
	case "table":
		switch v.(type) {
		case []any, map[string]any:
			return true
		}
		return false
	}
	if a, ok := c.aliases[typ]; ok && len(a.Values) > 0 {
		s, _ := v.(string)
		for _, val := range a.Values {
			if val.Value == `"`+s+`"` {
				return true
			}
		}
		return false
	}
	if _, ok := c.classes[typ]; ok {
		c.table(where, v, typ, false)
		return true
	}
	c.errorf("%s: the checker does not know type %s", where, typ)
	return true
}

// splitTop splits s at sep outside brackets.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '<', '{', '[':
			depth++
		case ')', '>', '}', ']':
			depth--
		case sep:
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func itoa(n int) string { return nk.FormatNumber(int64(n)) }

// fullContext returns a CallContext with every field set.
func fullContext() *runtime.CallContext {
	c := &runtime.CallContext{}
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Int, reflect.Int64:
			f.SetInt(1)
		case reflect.Map:
			m := reflect.MakeMap(f.Type())
			elem := reflect.New(f.Type().Elem()).Elem()
			if elem.Kind() == reflect.Slice {
				elem = reflect.ValueOf([]string{"v"})
			} else {
				elem.SetString("v")
			}
			m.SetMapIndex(reflect.ValueOf("k"), elem)
			f.Set(m)
		default:
			panic("fullContext: field " + v.Type().Field(i).Name + " of an unexpected kind")
		}
	}
	c.ExecutionMode = runtime.ModeRPC
	return c
}

func TestContextShape(t *testing.T) {
	c := newShapeChecker(t)
	c.table("context", fullContext().Map(), "nk_context", true)
	// A context with nothing set holds exactly the required fields.
	empty := (&runtime.CallContext{ExecutionMode: runtime.ModeRunOnce}).Map()
	for _, f := range c.classes["nk_context"].Fields {
		if _, present := empty[f.Name]; present == f.Optional {
			t.Errorf("nk_context.%s: optional %v, but an empty context has it: %v", f.Name, f.Optional, present)
		}
	}
	for _, m := range executionModes {
		if !strings.HasPrefix(m.Value, `"`) {
			t.Errorf("execution mode %s is not a string literal", m.Value)
		}
	}
}

func TestMatchShape(t *testing.T) {
	c := newShapeChecker(t)
	c.table("relayed match", match.Info{ID: "u.", Size: 2}.Map(), "nk_match", false)
	c.table("authoritative match", match.Info{ID: "u.n", Authoritative: true, Size: 2, TickRate: 5, Label: "l", Module: "m"}.Map(), "nk_match", true)
	p := match.Presence{UserID: "u", SessionID: "s", Username: "n", Node: "node", Reason: 1}
	c.table("presence", p.Map(false), "nk_presence", false)
	c.table("presence with reason", p.Map(true), "nk_presence", true)
	for _, f := range c.classes["nk_presence"].Fields {
		if _, present := p.Map(false)[f.Name]; present == f.Optional {
			t.Errorf("nk_presence.%s: optional %v, present without reason %v", f.Name, f.Optional, present)
		}
	}
}

type nopConn struct{}

func (nopConn) Send([]byte) bool { return true }
func (nopConn) Close(string)     {}

type nopCodec struct{}

func (nopCodec) Encode(*rtapi.Envelope, session.Format) ([]byte, error) { return []byte("{}"), nil }

type nopTokens struct{}

func (nopTokens) MatchToken(string) (string, error) { return "token", nil }

func TestMatchmakerEntryShape(t *testing.T) {
	var entries []any
	hook := func(_ context.Context, _ *runtime.CallContext, e []any) (string, error) {
		entries = e
		return "", nil
	}
	n := &matchmaker.Notice{
		Router: session.NewRouter(nopCodec{}, nil), Tokens: nopTokens{}, Node: "node",
		Hook: func() module.MatchmakerFunc { return hook },
	}
	s := session.New(session.Info{ID: runtime.NewUUID().String(), UserID: runtime.NewUUID().String(), Username: "u"}, nopConn{})
	n.Announce(context.Background(), []matchmaker.Entry{{
		Ticket: "t", Session: s, Created: time.Now(),
		StringProperties: map[string]string{"mode": "ranked"}, NumericProperties: map[string]float64{"skill": 3},
	}})
	if len(entries) != 1 {
		t.Fatalf("hook got %d entries, want 1", len(entries))
	}
	newShapeChecker(t).table("matchmaker entry", entries[0], "nk_matchmaker_entry", true)
}

// storeAPI is an nk API over SQLite in a temporary directory, with a
// session registry and tracker.
func storeAPI(t *testing.T) (*nk.API, *sqlite.Store, *session.Registry) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "shapes.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	sessions := session.NewRegistry()
	api := nk.New(nk.Deps{
		Node: "node", Version: "v", Env: map[string]string{"k": "v"},
		Accounts: account.New(account.Deps{Identities: store, Accounts: store}),
		Objects:  object.New(store),
		Sessions: sessions, Tracker: session.NewTracker(func(session.Event) {}),
		Router: session.NewRouter(nopCodec{}, nil),
	})
	return api, store, sessions
}

func call(t *testing.T, api *nk.API, name string, args ...any) []any {
	t.Helper()
	out, err := api.Func(name).Invoke(&nk.Call{Ctx: context.Background()}, args)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func first(t *testing.T, v any) any {
	t.Helper()
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		t.Fatalf("got %#v, want a non-empty list", v)
	}
	return l[0]
}

func TestStorageAndAccountShapes(t *testing.T) {
	api, store, _ := storeAPI(t)
	c := newShapeChecker(t)
	uid := runtime.NewUUID().String()
	if _, err := store.Identify(context.Background(), runtime.Identity{Kind: runtime.IdentityCustom, ID: "custom-shapes"}, true,
		runtime.NewUser{ID: uid, Username: "shapes"}); err != nil {
		t.Fatal(err)
	}

	write := map[string]any{
		"collection": "c", "key": "k", "user_id": uid, "value": map[string]any{"a": int64(1)},
		"version": "*", "permission_read": int64(2), "permission_write": int64(1),
	}
	c.table("storage_write argument", write, "nk_storage_write", true)
	acks := call(t, api, "storage_write", []any{write})
	c.value("storage_write acks", acks[0], resultTypes["storage_write.acks"])
	c.table("storage ack", first(t, acks[0]), "nk_storage_ack", true)

	id := map[string]any{"collection": "c", "key": "k", "user_id": uid}
	c.table("storage_read argument", id, "nk_storage_object_id", true)
	objs := call(t, api, "storage_read", []any{id})
	c.table("storage_read object", first(t, objs[0]), "nk_storage_object", true)
	listed := call(t, api, "storage_list", uid, "c", int64(10))
	c.table("storage_list object", first(t, listed[0]), "nk_storage_object", true)
	del := map[string]any{"collection": "c", "key": "k", "user_id": uid, "version": first(t, acks[0]).(map[string]any)["version"]}
	c.table("storage_delete argument", del, "nk_storage_delete_id", true)
	call(t, api, "storage_delete", []any{del})

	acct := call(t, api, "account_get_id", uid)
	c.table("account", acct[0], "nk_account", false)
	if _, ok := acct[0].(map[string]any)["custom_id"]; !ok {
		t.Error("account: custom_id absent for an account with a custom id")
	}
	users := call(t, api, "users_get_id", []any{uid})
	c.table("user", first(t, users[0]), "nk_user", true)

	ctx := call(t, api, "get_context")
	c.table("get_context", ctx[0], "nk_context", false)
	c.fields("time date", map[string]any{"year": int64(2024), "month": int64(1), "day": int64(2), "hour": int64(3),
		"min": int64(4), "sec": int64(5), "msec": int64(6)}, c.classes["nk_date"].Fields, true)
	call(t, api, "time", map[string]any{"year": int64(2024), "month": int64(1), "day": int64(2)})
}

func TestStreamShapes(t *testing.T) {
	api, _, sessions := storeAPI(t)
	c := newShapeChecker(t)
	uid := runtime.NewUUID().String()
	s := session.New(session.Info{ID: runtime.NewUUID().String(), UserID: uid, Username: "u"}, nopConn{})
	sessions.Add(s)
	stream := map[string]any{"mode": int64(8), "subject": runtime.NewUUID().String(), "subcontext": runtime.NewUUID().String(), "label": "l"}
	c.table("stream", stream, "nk_stream", true)
	call(t, api, "stream_user_join", uid, s.ID, stream, false, true, "status")
	meta := call(t, api, "stream_user_get", uid, s.ID, stream)
	c.table("stream meta", meta[0], "nk_stream_meta", true)
	list := call(t, api, "stream_user_list", stream)
	p := first(t, list[0])
	c.table("stream presence", p, "nk_stream_presence", true)
	// A listed presence is a valid stream_send target.
	c.value("stream_send presences", list[0], paramTypes["stream_send.presences"])
	call(t, api, "stream_send", stream, "data", list[0])
}

// shapeModule is a match module that keeps what each callback receives and
// answers it all, JSON-encoded, to a signal.
const shapeModule = `
local nk = require("nakama")
local seen = {}
local M = {}
function M.match_init(context, params)
  seen.init_context = context
  seen.params = params
  return {}, 5, "label"
end
function M.match_join_attempt(context, dispatcher, tick, state, presence, metadata)
  seen.join_attempt_context = context
  seen.join_attempt_presence = presence
  seen.metadata = metadata
  seen.dispatcher = {}
  for k, v in pairs(dispatcher) do seen.dispatcher[k] = type(v) end
  return state, true
end
function M.match_join(context, dispatcher, tick, state, presences)
  seen.join_presences = presences
  seen.context = context
  return state
end
function M.match_leave(context, dispatcher, tick, state, presences)
  seen.leave_presences = presences
  return state
end
function M.match_loop(context, dispatcher, tick, state, messages)
  seen.messages = messages
  return state
end
function M.match_terminate(context, dispatcher, tick, state, grace_seconds)
  return nil
end
function M.match_signal(context, dispatcher, tick, state, data)
  return state, nk.json_encode(seen)
end
return M
`

func newLuaFactory(t *testing.T, src string) match.Factory {
	t.Helper()
	eng := luavm.New(luavm.Config{
		API: nk.New(nk.Deps{Node: "test"}), PoolMin: 1, PoolMax: 2,
		RPCBudget: time.Second, LoadBudget: time.Second, Node: "test",
	})
	inst, err := eng.Load(context.Background(), vmtest.Files(map[string]string{"shape.lua": src}), vmtest.NewRegistrations())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	t.Cleanup(inst.Close)
	f, ok := inst.(match.Factory)
	if !ok {
		t.Fatalf("the Lua instance (%T) is not a match.Factory", inst)
	}
	return f
}

func TestMatchHandlerShapes(t *testing.T) {
	ctx := context.Background()
	f := newLuaFactory(t, shapeModule)
	h, err := f.NewHandler(ctx, "shape", vmtest.Env("shape", &vmtest.Dispatcher{}))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	p := vmtest.Presence("player")
	if _, err := h.Init(ctx, map[string]any{"mode": "x"}); err != nil {
		t.Fatal(err)
	}
	user := fullContext()
	user.ExecutionMode = runtime.ModeMatch
	if ok, _, err := h.JoinAttempt(ctx, 0, match.JoinAttempt{Presence: p, Metadata: map[string]string{"a": "b"}, Context: user}); err != nil || !ok {
		t.Fatalf("join attempt: %v %v", ok, err)
	}
	p.Reason = session.ReasonJoin
	if err := h.Join(ctx, 0, []match.Presence{p}); err != nil {
		t.Fatal(err)
	}
	if err := h.Loop(ctx, 0, []match.Message{{Sender: p, OpCode: 3, Data: []byte("d"), Reliable: true, ReceiveTimeMs: 7}}); err != nil {
		t.Fatal(err)
	}
	p.Reason = session.ReasonLeave
	if err := h.Leave(ctx, 1, []match.Presence{p}); err != nil {
		t.Fatal(err)
	}
	out, err := h.Signal(ctx, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	var seen map[string]any
	if err := json.Unmarshal([]byte(out), &seen); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	c := newShapeChecker(t)
	byName := map[string]sig{}
	for _, cb := range handlerCallbacks() {
		byName[cb.Name] = cb
	}
	param := func(cb, name string) string {
		for _, p := range byName[cb].Params {
			if p.Name == name {
				return p.Type
			}
		}
		t.Fatalf("%s has no parameter %s", cb, name)
		return ""
	}
	c.value("match_init context", seen["init_context"], param("match_init", "context"))
	c.value("match_init params", seen["params"], param("match_init", "params"))
	c.value("match_join_attempt context", seen["join_attempt_context"], param("match_join_attempt", "context"))
	c.table("match_join_attempt context", seen["join_attempt_context"], "nk_context", false)
	c.value("match_join_attempt presence", seen["join_attempt_presence"], param("match_join_attempt", "presence"))
	c.value("match_join_attempt metadata", seen["metadata"], param("match_join_attempt", "metadata"))
	c.value("match_join presences", seen["join_presences"], param("match_join", "presences"))
	c.table("match_join presence", first(t, seen["join_presences"]), "nk_presence", true)
	c.value("match_join context", seen["context"], param("match_join", "context"))
	c.value("match_leave presences", seen["leave_presences"], param("match_leave", "presences"))
	c.value("match_loop messages", seen["messages"], param("match_loop", "messages"))
	c.table("match_loop message", first(t, seen["messages"]), "nk_match_message", true)

	var want, got []string
	for _, d := range dispatcherFuncs() {
		want = append(want, d.Name)
	}
	for k, v := range seen["dispatcher"].(map[string]any) {
		got = append(got, k)
		if v != "function" {
			t.Errorf("dispatcher.%s is a %v", k, v)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("the dispatcher has %v, annotated %v", got, want)
	}
}

// TestHandlerCallbacksRequired checks which callbacks a match module must
// have: a module without a required one fails to load as a match, one
// without an optional one loads.
func TestHandlerCallbacksRequired(t *testing.T) {
	for _, cb := range handlerCallbacks() {
		src := strings.Replace(shapeModule, "function M."+cb.Name+"(", "local function _unused_"+cb.Name+"(", 1)
		if src == shapeModule {
			t.Fatalf("shapeModule lacks %s", cb.Name)
		}
		f := newLuaFactory(t, src)
		h, err := f.NewHandler(context.Background(), "shape", vmtest.Env("shape", &vmtest.Dispatcher{}))
		optional := cb.Optional
		switch {
		case optional && err != nil:
			t.Errorf("a module without %s (optional) does not load: %v", cb.Name, err)
		case !optional && err == nil:
			t.Errorf("a module without %s loads: the annotations call it required", cb.Name)
		case !optional && !strings.Contains(err.Error(), cb.Name):
			t.Errorf("without %s: %v", cb.Name, err)
		}
		if h != nil {
			h.Close()
		}
	}
}
