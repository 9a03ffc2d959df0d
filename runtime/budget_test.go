package runtime

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBudget(t *testing.T) {
	b := NewBudget(context.WithValue(context.Background(), struct{}{}, "v"), 20*time.Millisecond)
	for range 3 {
		ctx := b.Start()
		if ctx.Value(struct{}{}) != "v" {
			t.Fatal("parent value lost")
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("budget never ran out")
		}
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) || !b.Stop() {
			t.Fatalf("Err = %v after the limit", ctx.Err())
		}
		// A call within its limit does not see the old overrun.
		ctx = b.Start()
		if ctx.Err() != nil {
			t.Fatal("a fresh call starts exceeded")
		}
		select {
		case <-ctx.Done():
			t.Fatal("a fresh call is done at once")
		default:
		}
		if b.Stop() {
			t.Fatal("a quick call reported an overrun")
		}
	}
}

func TestBudgetParentCancel(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	b := NewBudget(parent, time.Hour)
	ctx := b.Start()
	cancel()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("parent cancellation not passed on")
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatalf("Err = %v", ctx.Err())
	}
	b.Stop()
}
