package match

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestTickHeapOrders(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Now()
	for _, n := range []int{0, 1, 2, 3, 17, 1000} {
		var h tickHeap
		var want []time.Time
		for range n {
			at := base.Add(time.Duration(r.IntN(1000)) * time.Millisecond)
			h.push(tickEntry{at: at})
			want = append(want, at)
		}
		slices.SortFunc(want, func(a, b time.Time) int { return a.Compare(b) })
		for i, w := range want {
			if got := h.pop().at; !got.Equal(w) {
				t.Fatalf("n=%d: pop %d = %v, want %v", n, i, got.Sub(base), w.Sub(base))
			}
		}
		if len(h) != 0 {
			t.Fatalf("n=%d: %d left", n, len(h))
		}
	}
}

func BenchmarkTickHeap(b *testing.B) {
	var h tickHeap
	base := time.Now()
	for i := range 1000 {
		h.push(tickEntry{at: base.Add(time.Duration(i*7919%1000) * time.Millisecond)})
	}
	b.ReportAllocs()
	for b.Loop() {
		e := h.pop()
		e.at = e.at.Add(100 * time.Millisecond)
		h.push(e)
	}
}
