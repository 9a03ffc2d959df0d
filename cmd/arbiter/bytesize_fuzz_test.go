package main

import "testing"

// FuzzByteSize checks that any text either fails to parse or gives a size
// that is not negative and that formatByteSize prints back as the same
// size.
func FuzzByteSize(f *testing.F) {
	for _, s := range []string{"0", "4MiB", "4 mib", "512kb", "-1", "+7GiB", "9223372036854775807", "8EiB", "1.5KiB", " 12 B ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseByteSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("%q: negative size %d", s, n)
		}
		back, err := parseByteSize(formatByteSize(n))
		if err != nil || back != n {
			t.Fatalf("%q: %d printed as %q reads back as %d (%v)", s, n, formatByteSize(n), back, err)
		}
	})
}
