//go:build !wasip1

package arbiter

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
)

// migrating is a counter whose state survives reloads as decimal text.
type migrating struct{ counter }

func (migrating) MatchSnapshot(ctx *Context, tick int64, s any) ([]byte, error) {
	return []byte(strconv.Itoa(*s.(*int))), nil
}

func (migrating) MatchRestore(ctx *Context, tick int64, data []byte) (any, error) {
	n, err := strconv.Atoi(string(data))
	if err != nil {
		return nil, errors.New("bad snapshot")
	}
	return &n, nil
}

func TestReloadPolicies(t *testing.T) {
	RegisterMatch("m", func() Match { return migrating{} })
	SetReloadPolicy("m", ReloadMigrate)
	t.Cleanup(func() { delete(matches, "m"); delete(policies, "m") })
	r := registrations()
	if !reflect.DeepEqual(r["match_policies"], map[string]any{"m": "migrate"}) {
		t.Fatalf("registrations = %#v", r)
	}
}

func TestSnapshotRestore(t *testing.T) {
	withStub(t)
	RegisterMatch("m", func() Match { return migrating{} })
	RegisterMatch("plain", func() Match { return counter{} })
	t.Cleanup(func() { delete(matches, "m"); delete(matches, "plain") })

	// The old version: a match counts two messages and snapshots.
	decodeReply(t, callMatchCreate(encodeInput(t, map[string]any{"name": "m"})))
	decodeReply(t, callMatchInit(encodeInput(t, map[string]any{})))
	msg := map[string]any{"op_code": int64(1), "data": []byte("x")}
	decodeReply(t, callMatchLoop(encodeInput(t, map[string]any{"tick": int64(1), "messages": []any{msg, msg}})))
	s, v := decodeReply(t, callMatchSnapshot(encodeInput(t, map[string]any{"tick": int64(2)})))
	if s != statusOK || !reflect.DeepEqual(v, []byte("2")) {
		t.Fatalf("snapshot: %d %#v", s, v)
	}
	if *current.state.(*int) != 2 {
		t.Fatalf("the snapshot changed the state: %v", current.state)
	}

	// The new version: create, restore instead of init, go on counting.
	decodeReply(t, callMatchCreate(encodeInput(t, map[string]any{"name": "m"})))
	s, _ = decodeReply(t, callMatchRestore(encodeInput(t, map[string]any{"name": "m", "tick": int64(2), "data": []byte("2"),
		"context": map[string]any{"match_label": "kept"}})))
	if s != statusOK || *current.state.(*int) != 2 || current.ctx.MatchLabel != "kept" {
		t.Fatalf("restore: %d state %v ctx %+v", s, current.state, current.ctx)
	}
	decodeReply(t, callMatchLoop(encodeInput(t, map[string]any{"tick": int64(3), "messages": []any{msg}})))
	if *current.state.(*int) != 3 {
		t.Fatalf("after restore the count is %d, want 3", *current.state.(*int))
	}
	if s, v = decodeReply(t, callMatchRestore(encodeInput(t, map[string]any{"data": []byte("x")}))); s != statusError ||
		v.(map[string]any)["message"] != "bad snapshot" {
		t.Fatalf("bad data: %d %#v", s, v)
	}

	// A match without Migratable refuses both.
	decodeReply(t, callMatchCreate(encodeInput(t, map[string]any{"name": "plain"})))
	decodeReply(t, callMatchInit(encodeInput(t, map[string]any{})))
	if s, _ = decodeReply(t, callMatchSnapshot(encodeInput(t, map[string]any{}))); s != statusError {
		t.Fatalf("snapshot without Migratable: %d", s)
	}
	if s, _ = decodeReply(t, callMatchRestore(encodeInput(t, map[string]any{"data": []byte("1")}))); s != statusError {
		t.Fatalf("restore without Migratable: %d", s)
	}
}
