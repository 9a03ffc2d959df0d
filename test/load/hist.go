package main

import (
	"math"
	"math/bits"
	"sync"
)

// The latency histogram is log-linear: values below 128 (ns) have a bucket
// each; above, every power of two is split into 64 equal buckets, so a
// reported percentile is within 1/64 (1.6 %) of the true sample. Memory is
// fixed (about 30 KB) whatever the number of samples, which keeps long runs
// with millions of deliveries cheap.
const (
	subBits   = 7
	subCount  = 1 << subBits // exact buckets: values 0..127
	subHalf   = subCount / 2 // buckets per power of two above that
	nBuckets  = subCount + (63-subBits)*subHalf
	maxSample = math.MaxInt64
)

// bucketOf returns the bucket of v (negative values count as 0).
func bucketOf(v int64) int {
	if v < 0 {
		v = 0
	}
	u := uint64(v)
	if u < subCount {
		return int(u)
	}
	s := bits.Len64(u) - subBits // >= 1
	m := u >> uint(s)            // in [subHalf, subCount)
	return subCount + (s-1)*subHalf + int(m-subHalf)
}

// bucketRange returns the smallest and largest value of bucket i.
func bucketRange(i int) (lo, hi int64) {
	if i < subCount {
		return int64(i), int64(i)
	}
	j := i - subCount
	s := uint(j/subHalf + 1)
	m := uint64(j%subHalf + subHalf)
	lo64, hi64 := m<<s, (m+1)<<s-1
	if hi64 > maxSample {
		hi64 = maxSample
	}
	return int64(lo64), int64(hi64)
}

// Histogram counts samples (durations in nanoseconds). The zero value is
// empty and ready; it is not safe for concurrent use (see Recorder).
type Histogram struct {
	counts [nBuckets]uint64
	n      uint64
	sum    float64
	min    int64
	max    int64
}

// Record adds one sample.
func (h *Histogram) Record(v int64) {
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if h.n == 0 || v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
}

// Merge adds o's samples to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if h.n == 0 || o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// Count is the number of samples.
func (h *Histogram) Count() uint64 { return h.n }

// Mean is the exact mean of the samples, 0 when empty.
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	return h.sum / float64(h.n)
}

// Min and Max are exact.
func (h *Histogram) Min() int64 { return h.min }
func (h *Histogram) Max() int64 { return h.max }

// Quantile returns the q-quantile (0 <= q <= 1) by the nearest-rank
// definition: the smallest sample with at least ceil(q*n) samples at or
// below it. Values of 128 and above are approximated by the middle of
// their bucket, clamped to the exact min and max. 0 when empty.
func (h *Histogram) Quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	if q <= 0 {
		return h.min
	}
	if q >= 1 {
		return h.max
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	var cum uint64
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			lo, hi := bucketRange(i)
			v := lo + (hi-lo)/2
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}

// Recorder is a Histogram safe for many goroutines: samples go to one of
// several shards (a worker keeps to its own), merged when read.
type Recorder struct {
	shards []recShard
}

type recShard struct {
	mu sync.Mutex
	h  Histogram
	_  [64]byte // keep shards' locks on separate cache lines
}

// NewRecorder returns a recorder with n shards (at least 1).
func NewRecorder(n int) *Recorder {
	return &Recorder{shards: make([]recShard, max(n, 1))}
}

// Record adds v to the shard chosen by worker.
func (r *Recorder) Record(worker int, v int64) {
	s := &r.shards[uint(worker)%uint(len(r.shards))]
	s.mu.Lock()
	s.h.Record(v)
	s.mu.Unlock()
}

// Snapshot returns all shards merged.
func (r *Recorder) Snapshot() *Histogram {
	var out Histogram
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		out.Merge(&s.h)
		s.mu.Unlock()
	}
	return &out
}

// Reset empties every shard.
func (r *Recorder) Reset() {
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		s.h = Histogram{}
		s.mu.Unlock()
	}
}
