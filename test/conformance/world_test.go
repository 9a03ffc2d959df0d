package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/module"
	"github.com/arbiterhq/arbiter/runtime/nk"
	"github.com/arbiterhq/arbiter/runtime/session"
	"github.com/arbiterhq/arbiter/test/wasmbuild"
	"github.com/arbiterhq/arbiter/vm/lua"
	"github.com/arbiterhq/arbiter/vm/wasm"
)

func TestMain(m *testing.M) {
	code := m.Run()
	wasmbuild.Remove()
	if modules.dir != "" {
		os.RemoveAll(modules.dir)
	}
	os.Exit(code)
}

// node is the server's node name in match ids and presences.
const node = "node1"

// handlers are the four tic-tac-toe match handlers, the reference first.
var handlers = []string{"tictactoe", "tictactoe_rust", "tictactoe_as", "tictactoe_go"}

// modules is the modules folder of the tests, made once per test binary,
// with the compilation cache of the WebAssembly engines beside it.
var modules struct {
	once sync.Once
	dir  string // the folder holding modules/ and cache/
	err  error
}

// modulesDir returns a folder holding modules/tictactoe.lua and the three
// WebAssembly versions, as a server's modules folder would, and a folder
// for the compiled modules' cache.
func modulesDir(tb testing.TB) (dir, cache string) {
	tb.Helper()
	src := wasmbuild.Dir(tb)
	modules.once.Do(func() {
		if modules.dir, modules.err = os.MkdirTemp("", "arbiter-conformance"); modules.err != nil {
			return
		}
		dir := filepath.Join(modules.dir, "modules")
		modules.err = os.MkdirAll(dir, 0o755)
		cp := func(from, to string) {
			if modules.err == nil {
				var b []byte
				if b, modules.err = os.ReadFile(from); modules.err == nil {
					modules.err = os.WriteFile(to, b, 0o644)
				}
			}
		}
		cp(filepath.Join(wasmbuild.Root(), "modules", "tictactoe.lua"), filepath.Join(dir, "tictactoe.lua"))
		for _, f := range wasmbuild.Modules {
			cp(filepath.Join(src, f), filepath.Join(dir, f))
		}
	})
	if modules.err != nil {
		tb.Fatal(modules.err)
	}
	return filepath.Join(modules.dir, "modules"), filepath.Join(modules.dir, "cache")
}

// world is the engine of a server: module manager with the Lua and WASM
// engines over one nk API, match registry, session tracker and router.
type world struct {
	modules *module.Manager
	reg     *match.Registry
	tracker *session.Tracker
	router  *session.Router
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	dir, cache := modulesDir(tb)
	ctx := context.Background()
	w := &world{router: session.NewRouter(wire.Codec{}, nil), modules: module.NewManager(nil)}
	w.tracker = session.NewTracker(func(ev session.Event) { w.router.StreamEvent(w.tracker)(ev) })
	// A generous budget: under the race detector and with four games at
	// once a callback may take long; budgets are tested elsewhere.
	w.reg = match.NewRegistry(match.Deps{Config: match.Config{Node: node, CallBudget: 2 * time.Second},
		Factory: w.modules, Tracker: w.tracker, Router: w.router})
	api := nk.New(nk.Deps{Node: node, Matches: w.reg, Tracker: w.tracker, Router: w.router})
	we, err := wasm.New(ctx, wasm.Config{API: api, Node: node, CacheDir: cache})
	if err != nil {
		tb.Fatal(err)
	}
	w.modules.SetEngines(lua.New(lua.Config{API: api, Node: node}), we)
	files, err := w.modules.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.modules.Load(ctx, files); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		w.reg.Shutdown(ctx, 0)
		w.modules.Close()
		_ = we.Close(ctx)
	})
	return w
}

// A player of the scripted games. Real ids are UUIDs (Lua modules require
// them) and fixed, so that transcripts can match. Bob's user id sorts after
// Alice's in the marks.
type player struct {
	name     string // in transcripts
	userID   string
	session  string
	username string
}

var (
	alice = player{"alice", "a11ce000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-00000000a11c", "alice"}
	bob   = player{"bob", "b0b00000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000b0b", "bob"}
	// bob2 is Bob on a second session.
	bob2  = player{"bob#2", bob.userID, "00000000-0000-4000-8000-000000000b02", "bob"}
	carol = player{"carol", "ca401000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-00000000ca01", "carol"}

	everyone = []player{alice, bob, bob2, carol}
)

// nameOf names a presence in transcripts: a known player's name when its
// user id, session id and username are the player's, else all three.
func nameOf(userID, sessionID, username string) string {
	for _, p := range everyone {
		if p.userID == userID && p.session == sessionID && p.username == username {
			return p.name
		}
	}
	return fmt.Sprintf("{user %s session %s username %q}", userID, sessionID, username)
}

func names(ps []*rtapi.UserPresence) string {
	l := make([]string, len(ps))
	for i, p := range ps {
		l[i] = nameOf(p.UserId, p.SessionId, p.Username)
	}
	slices.Sort(l) // presence lists come from maps: their order means nothing
	return "[" + strings.Join(l, " ") + "]"
}

// recorder is a session's connection: it writes every frame it is sent
// into its transcript, one line each.
type recorder struct {
	matchID string // the game's match, written as "<match>"

	mu      sync.Mutex
	lines   []string
	data    int           // match data frames received
	changed chan struct{} // closed at each new line
}

func newRecorder(matchID string) *recorder {
	return &recorder{matchID: matchID, changed: make(chan struct{})}
}

// Send implements session.Conn.
func (r *recorder) Send(frame []byte) bool {
	var env rtapi.Envelope
	line := ""
	if err := (wire.Codec{}).Decode(frame, session.JSON, &env); err != nil {
		line = fmt.Sprintf("undecodable frame %q: %v", frame, err)
	} else {
		line = r.line(&env)
	}
	_, isData := env.Message.(*rtapi.Envelope_MatchData)
	r.add(line, isData)
	return true
}

// Close implements session.Conn.
func (r *recorder) Close(reason string) { r.add("closed: "+reason, false) }

func (r *recorder) add(line string, isData bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, line)
	if isData {
		r.data++
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) match(id string) string {
	if id == r.matchID {
		return "<match>"
	}
	return "<other match " + id + ">"
}

// line writes an envelope as a transcript line.
func (r *recorder) line(env *rtapi.Envelope) string {
	switch m := env.Message.(type) {
	case *rtapi.Envelope_MatchData:
		d := m.MatchData
		sender := "-"
		if p := d.Presence; p != nil {
			sender = nameOf(p.UserId, p.SessionId, p.Username)
		}
		return fmt.Sprintf("data %s op=%d reliable=%v sender=%s %q", r.match(d.MatchId), d.OpCode, d.Reliable, sender, d.Data)
	case *rtapi.Envelope_MatchPresenceEvent:
		e := m.MatchPresenceEvent
		return fmt.Sprintf("presence %s joins=%s leaves=%s", r.match(e.MatchId), names(e.Joins), names(e.Leaves))
	case *rtapi.Envelope_Error:
		e := m.Error
		return fmt.Sprintf("error code=%d match=%s %q", e.Code, r.match(e.Context["match_id"]), e.Message)
	}
	return fmt.Sprintf("other %T", env.Message)
}

// wait waits until ok holds for the recorder's state, or the timeout.
func (r *recorder) wait(timeout time.Duration, ok func(lines []string, data int) bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		done, changed := ok(r.lines, r.data), r.changed
		r.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return false
		}
	}
}

func (r *recorder) transcript() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lines)
}
