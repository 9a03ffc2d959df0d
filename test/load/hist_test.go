package main

import (
	"math"
	"sync"
	"testing"
)

func TestBucketsCoverEveryValue(t *testing.T) {
	values := []int64{0, 1, 127, 128, 129, 255, 256, 257, 1000, 1 << 20, 1<<20 + 1, 123456789, 1 << 40, math.MaxInt64 - 1, math.MaxInt64}
	for v := int64(0); v < 5000; v++ {
		values = append(values, v)
	}
	for _, v := range values {
		i := bucketOf(v)
		if i < 0 || i >= nBuckets {
			t.Fatalf("bucketOf(%d) = %d, out of [0,%d)", v, i, nBuckets)
		}
		lo, hi := bucketRange(i)
		if v < lo || v > hi {
			t.Fatalf("bucketOf(%d) = %d with range [%d,%d]", v, i, lo, hi)
		}
		if v >= subCount && float64(hi-lo) > float64(lo)/subHalf {
			t.Fatalf("bucket %d [%d,%d] wider than 1/%d of its value", i, lo, hi, subHalf)
		}
	}
	// Buckets are contiguous and increasing.
	for i := 1; i < nBuckets; i++ {
		_, prevHi := bucketRange(i - 1)
		lo, _ := bucketRange(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, bucket %d ends at %d", i, lo, i-1, prevHi)
		}
	}
	if bucketOf(-5) != 0 {
		t.Fatal("negative values must count as 0")
	}
}

func TestQuantiles(t *testing.T) {
	seq := func(from, to, step int64) []int64 {
		var out []int64
		for v := from; v <= to; v += step {
			out = append(out, v)
		}
		return out
	}
	tests := []struct {
		name    string
		samples []int64
		q       float64
		want    int64
		tol     float64 // relative
	}{
		{"empty", nil, 0.5, 0, 0},
		{"one", []int64{42}, 0.99, 42, 0},
		{"1..100 p50", seq(1, 100, 1), 0.50, 50, 0},
		{"1..100 p95", seq(1, 100, 1), 0.95, 95, 0},
		{"1..100 p99", seq(1, 100, 1), 0.99, 99, 0},
		{"1..100 p100", seq(1, 100, 1), 1, 100, 0},
		{"1..100 p0", seq(1, 100, 1), 0, 1, 0},
		{"nearest rank rounds up", seq(1, 10, 1), 0.91, 10, 0},
		{"ms p50", seq(1_000_000, 100_000_000, 1_000_000), 0.50, 50_000_000, 1.0 / 64},
		{"ms p99", seq(1_000_000, 100_000_000, 1_000_000), 0.99, 99_000_000, 1.0 / 64},
		{"clamped to max", []int64{1_000_003, 1_000_003}, 0.5, 1_000_003, 0},
		{"skewed p50", append(seq(10, 10, 1), 1e9, 1e9), 0.5, 1e9, 1.0 / 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tt.samples {
				h.Record(v)
			}
			got := h.Quantile(tt.q)
			if diff := math.Abs(float64(got - tt.want)); diff > tt.tol*float64(tt.want) {
				t.Fatalf("Quantile(%v) = %d, want %d (±%.1f%%)", tt.q, got, tt.want, tt.tol*100)
			}
		})
	}
}

func TestHistogramStatsAndMerge(t *testing.T) {
	var a, b Histogram
	for v := int64(1); v <= 50; v++ {
		a.Record(v)
	}
	for v := int64(51); v <= 100; v++ {
		b.Record(v)
	}
	a.Merge(&b)
	a.Merge(&Histogram{})
	if a.Count() != 100 || a.Min() != 1 || a.Max() != 100 || a.Mean() != 50.5 {
		t.Fatalf("count %d min %d max %d mean %v", a.Count(), a.Min(), a.Max(), a.Mean())
	}
	if got := a.Quantile(0.5); got != 50 {
		t.Fatalf("p50 = %d", got)
	}
	var empty Histogram
	empty.Merge(&b)
	if empty.Min() != 51 || empty.Max() != 100 {
		t.Fatalf("merge into empty: min %d max %d", empty.Min(), empty.Max())
	}
}

func TestRecorderConcurrent(t *testing.T) {
	r := NewRecorder(4)
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := int64(1); v <= 1000; v++ {
				r.Record(w, v)
			}
		}()
	}
	wg.Wait()
	h := r.Snapshot()
	if h.Count() != 16000 || h.Min() != 1 || h.Max() != 1000 {
		t.Fatalf("count %d min %d max %d", h.Count(), h.Min(), h.Max())
	}
	r.Reset()
	if r.Snapshot().Count() != 0 {
		t.Fatal("Reset left samples")
	}
}

func TestLatencyOf(t *testing.T) {
	if latencyOf(&Histogram{}) != nil {
		t.Fatal("empty histogram should give no latency")
	}
	var h Histogram
	for _, v := range []int64{1_000_000, 2_000_000, 3_000_000} {
		h.Record(v)
	}
	l := latencyOf(&h)
	if l.Count != 3 || l.Min != 1 || l.Max != 3 || l.Mean != 2 {
		t.Fatalf("%+v", l)
	}
	if math.Abs(l.P50-2) > 2.0/64 {
		t.Fatalf("p50 %v", l.P50)
	}
}
