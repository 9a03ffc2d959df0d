package conformance

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heroiclabs/nakama-common/rtapi"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime/session"
)

var update = flag.Bool("update", false, "rewrite testdata/tictactoe.transcript from the Lua module's games")

const golden = "testdata/tictactoe.transcript"

// TestTicTacToe plays the same games against the four tic-tac-toe modules
// at once, in one server engine, and compares what every session received:
// Lua's transcript with the golden file, the others with Lua's.
func TestTicTacToe(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	transcripts := map[string]string{}
	t.Run("play", func(t *testing.T) {
		for _, h := range handlers {
			t.Run(h, func(t *testing.T) {
				t.Parallel()
				tr := play(t, w, h)
				mu.Lock()
				transcripts[h] = tr
				mu.Unlock()
			})
		}
	})

	ref := transcripts[handlers[0]]
	if testing.Verbose() {
		t.Logf("the Lua module's transcript:\n%s", ref)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(ref), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -run TicTacToe -update writes it)", err)
	}
	if ref != string(want) {
		t.Errorf("the Lua module's transcript differs from %s (- golden, + Lua):\n%s", golden, diff(string(want), ref))
	}
	for _, h := range handlers[1:] {
		if got := transcripts[h]; got != ref {
			t.Errorf("%s's transcript differs from the Lua module's (- Lua, + %s):\n%s", h, h, diff(ref, got))
		}
	}
}

// play runs the scripted games against one match handler and returns the
// transcript.
func play(t *testing.T, w *world, handler string) string {
	var out strings.Builder
	for _, game := range []struct {
		name   string
		script func(g *game)
	}{
		{"forfeit, with every kind of refused move", forfeitGame},
		{"win, with a second session", winGame},
		{"draw", drawGame},
	} {
		g := newGame(t, w, handler)
		game.script(g)
		g.write(&out, game.name)
	}
	return out.String()
}

func move(pos int) string { return fmt.Sprintf(`{"position":%d}`, pos) }

const opMove = 4

// forfeitGame: a move before the start, the start, a third player refused,
// turns, every kind of refused move, then Alice leaves and Bob wins by
// forfeit; a move after the end; the match ends.
func forfeitGame(g *game) {
	g.join(alice)
	g.send(alice, opMove, move(4))
	g.expect(want{alice, 1}) // game not started
	g.join(bob)
	g.expect(want{alice, 1}, want{bob, 1}) // START
	g.join(carol)                          // match full
	g.send(bob, opMove, move(0))
	g.expect(want{bob, 1}) // not your turn
	g.send(alice, opMove, move(4))
	g.expect(want{alice, 1}, want{bob, 1}) // UPDATE
	g.send(alice, opMove, move(0))
	g.expect(want{alice, 1}) // not your turn again

	refused := []string{
		move(4), // position taken
		move(9), `{"position":1.5}`, `{"position":-1}`, `{"position":"3"}`, `{"position":null}`,
		`{"position":true}`, `{"position":1e400}`, `{"Position":3}`, `[3]`, `3`, `null`,
		`not JSON`, ``, `{"position":3} trailing`, `{"position":3`,
	}
	for _, data := range refused {
		g.send(bob, opMove, data)
	}
	g.send(bob, 9, move(3)) // unknown op code
	g.send(alice, 1, "{}")  // unknown op code, and not her turn anyway
	g.expect(want{bob, len(refused) + 1}, want{alice, 1})

	g.send(bob, opMove, `{ "position" : 0 }`)
	g.expect(want{alice, 1}, want{bob, 1}) // UPDATE
	g.send(alice, opMove, `{"position":8.0}`)
	g.expect(want{alice, 1}, want{bob, 1}) // UPDATE: 8.0 is 8

	g.leave(alice)
	g.expect(want{bob, 1}) // DONE: Bob wins by forfeit, no winner_positions
	g.send(bob, opMove, move(3))
	g.expect(want{bob, 1}) // game over
	g.end(bob)
}

// winGame: Bob joins again on a second session mid-game (he keeps his mark
// and both sessions get every message), both sessions play, Alice wins with
// a row; the match ends.
func winGame(g *game) {
	g.join(alice)
	g.join(bob)
	g.expect(want{alice, 1}, want{bob, 1}) // START
	g.send(alice, opMove, move(0))
	g.expect(want{alice, 1}, want{bob, 1})
	g.join(bob2)
	all := []want{{alice, 1}, {bob, 1}, {bob2, 1}}
	g.send(bob2, opMove, move(4))
	g.expect(all...)
	g.send(alice, opMove, `{"position":1e0}`)
	g.expect(all...)
	g.send(bob, opMove, move(8))
	g.expect(all...)
	g.send(alice, opMove, `{"position":2.0}`)
	g.expect(all...) // DONE with winner_positions [0,1,2]
	g.send(bob2, opMove, move(5))
	g.expect(want{bob2, 1}) // game over
	g.end(alice, bob, bob2)
}

// drawGame: nine moves sent at once end in a draw; a third player is
// refused after the game; the match ends.
func drawGame(g *game) {
	g.join(alice)
	g.join(bob)
	g.expect(want{alice, 1}, want{bob, 1}) // START
	for k, pos := range []int{0, 1, 2, 4, 3, 5, 7, 6, 8} {
		p := alice
		if k%2 == 1 {
			p = bob
		}
		g.send(p, opMove, move(pos))
	}
	g.expect(want{alice, 9}, want{bob, 9}) // 8 UPDATEs and DONE with winner 0
	g.join(carol)                          // match full: the game is over
	g.end(alice, bob)
}

// game drives one match of the registry through the sessions of the
// players, as the socket layer would.
type game struct {
	t       *testing.T
	w       *world
	handler string
	id      string
	conns   map[string]*recorder
	sess    map[string]*session.Session
	want    map[string]int // match data frames each player should have by now
	timeout time.Duration
}

// want is a number of new match data frames for a player.
type want struct {
	p player
	n int
}

func newGame(t *testing.T, w *world, handler string) *game {
	t.Helper()
	id, err := w.reg.Create(context.Background(), handler, map[string]any{})
	if err != nil {
		t.Fatalf("creating a %s match: %v", handler, err)
	}
	g := &game{t: t, w: w, handler: handler, id: id, conns: map[string]*recorder{},
		sess: map[string]*session.Session{}, want: map[string]int{}, timeout: 10 * time.Second}
	for _, p := range everyone {
		rec := newRecorder(id)
		g.conns[p.name] = rec
		g.sess[p.name] = session.New(session.Info{ID: p.session, UserID: p.userID, Username: p.username,
			Format: session.JSON}, rec)
	}
	return g
}

// join joins p as a match_join message would: the answer (or the refusal)
// goes into p's transcript, before any presence event.
func (g *game) join(p player) {
	rec := g.conns[p.name]
	err := g.w.reg.Join(g.sess[p.name], g.id, nil, func(m *rtapi.Match) {
		label := "<none>"
		if m.Label != nil {
			label = m.Label.Value
		}
		rec.add(fmt.Sprintf("joined %s authoritative=%v label=%q size=%d presences=%s self=%s", rec.match(m.MatchId),
			m.Authoritative, label, m.Size, names(m.Presences), nameOf(m.Self.GetUserId(), m.Self.GetSessionId(), m.Self.GetUsername())), false)
	})
	if err != nil {
		code, msg := wire.Public(err)
		rec.add(fmt.Sprintf("join refused: code=%d (%s) status=%d %q", wire.RealtimeCode(err), wire.RealtimeCode(err), code, msg), false)
	}
}

func (g *game) leave(p player) {
	if err := g.w.reg.Leave(g.sess[p.name], g.id); err != nil {
		g.conns[p.name].add("leave failed: "+err.Error(), false)
	}
}

func (g *game) send(p player, op int64, data string) {
	err := g.w.reg.Data(g.sess[p.name], g.id, &rtapi.MatchDataSend{MatchId: g.id, OpCode: op, Data: []byte(data), Reliable: true})
	if err != nil {
		g.conns[p.name].add("send failed: "+err.Error(), false)
	}
}

// expect waits until each player got n more match data frames. A wait that
// times out is an error; the transcripts then show what came.
func (g *game) expect(ws ...want) {
	g.t.Helper()
	for _, w := range ws {
		g.want[w.p.name] += w.n
		n := g.want[w.p.name]
		if !g.conns[w.p.name].wait(g.timeout, func(_ []string, data int) bool { return data >= n }) {
			g.t.Errorf("%s: %s did not get %d match data frames within %s", g.handler, w.p.name, n, g.timeout)
			g.timeout = time.Second // the transcript is wrong anyway: do not wait as long again
		}
	}
}

// end waits for the match to end: each player still in it sees everyone
// leave, then the registry no longer lists it.
func (g *game) end(ps ...player) {
	g.t.Helper()
	for _, p := range ps {
		ended := func(lines []string, _ int) bool {
			for _, l := range lines {
				if strings.HasPrefix(l, "presence <match> joins=[] leaves=[") && strings.Contains(l, p.name) {
					return true
				}
			}
			return false
		}
		if !g.conns[p.name].wait(g.timeout, ended) {
			g.t.Errorf("%s: %s did not see the match end within %s", g.handler, p.name, g.timeout)
			g.timeout = time.Second
		}
	}
	for deadline := time.Now().Add(g.timeout); ; time.Sleep(10 * time.Millisecond) {
		_, running, _ := g.w.reg.Get(g.id)
		if !running {
			break
		}
		if time.Now().After(deadline) {
			g.t.Errorf("%s: the match still runs", g.handler)
			break
		}
	}
}

// write appends the game's transcript: every player's lines.
func (g *game) write(out *strings.Builder, name string) {
	fmt.Fprintf(out, "== game: %s\n", name)
	for _, p := range everyone {
		fmt.Fprintf(out, "-- %s\n", p.name)
		for _, l := range g.conns[p.name].transcript() {
			out.WriteString(l)
			out.WriteByte('\n')
		}
	}
}

// edit is one line of a diff: op is ' ', '-' or '+'.
type edit struct {
	op   byte
	line string
}

// diff returns a line diff of a and b: lines only in a start with "-",
// only in b with "+", shared ones with " ", with 3 lines of context around
// changes.
func diff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j] is the longest common subsequence of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var edits []edit
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			edits = append(edits, edit{' ', x[i]})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			edits = append(edits, edit{'-', x[i]})
			i++
		default:
			edits = append(edits, edit{'+', y[j]})
			j++
		}
	}
	// Keep the changes and the lines within 3 of one.
	const context = 3
	keep := make([]bool, len(edits))
	for k, e := range edits {
		if e.op != ' ' {
			for c := max(0, k-context); c < len(edits) && c <= k+context; c++ {
				keep[c] = true
			}
		}
	}
	// Each run of kept lines starts with where it is: the game and the
	// player, from the transcript's headers.
	var out strings.Builder
	game, who := "", ""
	for k, e := range edits {
		if e.op != '+' {
			switch {
			case strings.HasPrefix(e.line, "== "):
				game, who = e.line, ""
			case strings.HasPrefix(e.line, "-- "):
				who = e.line
			}
		}
		if !keep[k] {
			continue
		}
		if k == 0 || !keep[k-1] {
			fmt.Fprintf(&out, "@@ %s %s\n", game, who)
		}
		fmt.Fprintf(&out, "%c %s\n", e.op, e.line)
	}
	return out.String()
}
