package matchmaker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkProcess measures one interval over a pool of waiting tickets:
// players in 5 regions and 3 modes with a rank, half of them asking for
// their region, mode and a rank window, a third for their region only, the
// rest for anyone; groups of 2 to 4.
func BenchmarkProcess(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var groups int
			for b.Loop() {
				b.StopTimer()
				m := poolOf(b, n)
				b.StartTimer()
				groups += m.Process(context.Background())
			}
			b.ReportMetric(float64(groups)/float64(b.N), "groups/op")
		})
	}
}

func poolOf(b *testing.B, n int) *Matchmaker {
	b.Helper()
	m := New(Config{MaxTickets: 1}, nil, nil)
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	regions := []string{"eu", "us", "asia", "sa", "oc"}
	modes := []string{"duel", "team", "ffa"}
	for range n {
		region, mode, rank := regions[rng.IntN(5)], modes[rng.IntN(3)], rng.IntN(1000)
		var q string
		switch k := rng.IntN(10); {
		case k < 5:
			q = fmt.Sprintf("+properties.region:%s +properties.mode:%s +properties.rank:>=%d +properties.rank:<=%d", region, mode, rank-50, rank+50)
		case k < 8:
			q = "+properties.region:" + region
		default:
			q = "*"
		}
		max := 2 + rng.IntN(3)
		if _, err := m.Add(newSession(), Request{MinCount: 2, MaxCount: max, Query: q,
			StringProperties:  map[string]string{"region": region, "mode": mode},
			NumericProperties: map[string]float64{"rank": float64(rank)}}); err != nil {
			b.Fatal(err)
		}
	}
	return m
}
