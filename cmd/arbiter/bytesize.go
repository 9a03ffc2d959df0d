package main

import (
	"errors"
	"flag"
	"strconv"
	"strings"
)

// Byte-size units: the binary ones (KiB = 1024) and the decimal ones
// (KB = 1000), as IEC 80000-13 defines them. B is a byte.
var byteUnits = map[string]int64{
	"b":   1,
	"kb":  1000,
	"mb":  1000 * 1000,
	"gb":  1000 * 1000 * 1000,
	"kib": 1 << 10,
	"mib": 1 << 20,
	"gib": 1 << 30,
}

// printedUnits are the units a size prints with: the largest that divides
// it exactly.
var printedUnits = []struct {
	name string
	size int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}

const byteSizeHint = "want a size such as 4MiB, 512KiB or 4194304 (bytes); units: B, KB, MB, GB (powers of 1000), KiB, MiB, GiB (powers of 1024)"

// parseByteSize reads a whole number of bytes with an optional unit:
// "4194304", "4MiB", "4 MiB", "512kb". Units ignore case.
func parseByteSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	if num == "" || num == "-" || num == "+" {
		return 0, errors.New(byteSizeHint)
	}
	mult := int64(1)
	if unit != "" {
		m, ok := byteUnits[unit]
		if !ok {
			return 0, errors.New(byteSizeHint)
		}
		mult = m
	}
	n, err := strconv.ParseInt(num, 10, 64)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		return 0, errors.New("too large")
	case err != nil:
		return 0, errors.New(byteSizeHint)
	case n < 0:
		return 0, errors.New("must not be negative")
	case n > (1<<63-1)/mult:
		return 0, errors.New("too large")
	}
	return n * mult, nil
}

// formatByteSize writes n with the largest binary unit that divides it
// ("4MiB"), or as plain bytes ("1000", "0").
func formatByteSize(n int64) string {
	if n != 0 {
		for _, u := range printedUnits {
			if n%u.size == 0 {
				return strconv.FormatInt(n/u.size, 10) + u.name
			}
		}
	}
	return strconv.FormatInt(n, 10)
}

// byteSizeValue is a byte-size flag over an int or int64 field: it takes
// what parseByteSize reads and prints as formatByteSize does, so that help
// and the documentation say 4MiB rather than 4194304.
type byteSizeValue[T int | int64] struct{ p *T }

func byteSizeVar[T int | int64](fs *flag.FlagSet, p *T, name, usage string) {
	fs.Var(byteSizeValue[T]{p}, name, usage)
}

func (v byteSizeValue[T]) String() string {
	if v.p == nil {
		return ""
	}
	return formatByteSize(int64(*v.p))
}

func (v byteSizeValue[T]) Set(s string) error {
	n, err := parseByteSize(s)
	if err != nil {
		return err
	}
	if int64(T(n)) != n {
		return errors.New("too large")
	}
	*v.p = T(n)
	return nil
}
