package runtime

import (
	"context"
	"errors"
	"testing"
	"time"
)

// spin burns CPU on the calling goroutine until ctx is done or d passes.
func spin(ctx context.Context, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return true
		default:
		}
	}
	return false
}

func TestBudgetStopsABusyCall(t *testing.T) {
	b := NewBudget(context.WithValue(context.Background(), struct{}{}, "v"), 20*time.Millisecond)
	defer b.Close()
	for range 3 {
		ctx := b.Start()
		if ctx.Value(struct{}{}) != "v" {
			t.Fatal("parent value lost")
		}
		if !spin(ctx, 5*time.Second) {
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
		if b.Stop() {
			t.Fatal("a quick call reported an overrun")
		}
	}
}

// TestBudgetIgnoresWaiting checks that a call that waits (blocked, or for a
// core) is not charged for it: only CPU time counts.
func TestBudgetIgnoresWaiting(t *testing.T) {
	if !threadClocks {
		t.Skip("no per-thread CPU clocks on this system: budgets count wall time")
	}
	b := NewBudget(context.Background(), 30*time.Millisecond)
	defer b.Close()
	ctx := b.Start()
	select {
	case <-ctx.Done():
		t.Fatal("a call that only waited was stopped")
	case <-time.After(150 * time.Millisecond):
	}
	if b.Stop() {
		t.Fatal("waiting counted as CPU time")
	}
}

func TestBudgetParentCancel(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	b := NewBudget(parent, time.Hour)
	defer b.Close()
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

func BenchmarkBudgetStartStop(b *testing.B) {
	bg := NewBudget(context.Background(), time.Second)
	defer bg.Close()
	for b.Loop() {
		bg.Start()
		bg.Stop()
	}
}
