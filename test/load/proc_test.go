package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name       string
		line       string
		utime, stm uint64
		err        string
	}{
		{"plain", "1234 (arbiter) S 1 1234 1234 0 -1 4194560 5000 0 0 0 150 50 0 0 20 0 12 0 100 1000000 5000 18446744073709551615",
			150, 50, ""},
		{"name with spaces and parens", "77 (a) b (c)) R 1 77 77 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 5 0 0",
			7, 3, ""},
		{"no name", "77 a R 1", 0, 0, "no command name"},
		{"short", "77 (a) R 1 2 3", 0, 0, "fields"},
		{"bad number", "77 (a) R 1 77 77 0 -1 0 0 0 0 0 x 3 0", 0, 0, "utime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, s, err := parseStat([]byte(tt.line))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one about %q", err, tt.err)
				}
				return
			}
			if err != nil || u != tt.utime || s != tt.stm {
				t.Fatalf("= %d, %d, %v; want %d, %d", u, s, err, tt.utime, tt.stm)
			}
		})
	}
}

func TestParseStatus(t *testing.T) {
	status := "Name:\tarbiter\nState:\tS (sleeping)\nVmPeak:\t  900000 kB\nVmHWM:\t   61234 kB\nVmRSS:\t   51200 kB\nThreads:\t12\n"
	m := parseStatus([]byte(status))
	if m["VmRSS"] != 51200 || m["VmHWM"] != 61234 || m["VmPeak"] != 900000 {
		t.Fatalf("%v", m)
	}
	if _, ok := m["Threads"]; ok {
		t.Fatal("non-kB lines must be skipped")
	}
}

func TestParseMaxOpenFiles(t *testing.T) {
	limits := "Limit                     Soft Limit           Hard Limit           Units     \n" +
		"Max cpu time              unlimited            unlimited            seconds   \n" +
		"Max open files            1048576              1048576              files     \n"
	if got := parseMaxOpenFiles([]byte(limits)); got != 1048576 {
		t.Fatalf("= %d", got)
	}
	if got := parseMaxOpenFiles([]byte("Max open files unlimited unlimited files\n")); got != 0 {
		t.Fatalf("unlimited = %d", got)
	}
}

// fakeProc builds a proc tree: a listener on port (inode 4242, held by
// pid 42 through fd 7), a connected socket of pid 43, and stat/status
// files for pid 42.
func fakeProc(t *testing.T, port string, holders ...string) string {
	t.Helper()
	root := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "net"), 0o755))
	tcp := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 00000000:" + port + " 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0\n" +
		"   1: 0100007F:D431 0100007F:" + port + " 01 00000000:00000000 00:00000000 00000000  1000        0 5555 1 0000000000000000 20 4 30 10 -1\n"
	must(os.WriteFile(filepath.Join(root, "net", "tcp"), []byte(tcp), 0o644))
	tcp6 := "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	must(os.WriteFile(filepath.Join(root, "net", "tcp6"), []byte(tcp6), 0o644))
	for _, pid := range holders {
		must(os.MkdirAll(filepath.Join(root, pid, "fd"), 0o755))
		must(os.Symlink("socket:[4242]", filepath.Join(root, pid, "fd", "7")))
	}
	must(os.MkdirAll(filepath.Join(root, "43", "fd"), 0o755))
	must(os.Symlink("socket:[5555]", filepath.Join(root, "43", "fd", "3")))
	must(os.Symlink("/dev/null", filepath.Join(root, "43", "fd", "0")))
	must(os.MkdirAll(filepath.Join(root, "self"), 0o755))
	must(os.MkdirAll(filepath.Join(root, "42"), 0o755))
	must(os.WriteFile(filepath.Join(root, "42", "stat"), []byte("42 (arbiter) S 1 42 42 0 -1 0 0 0 0 0 250 130 0 0 20 0 9 0 100 0 0\n"), 0o644))
	must(os.WriteFile(filepath.Join(root, "42", "status"), []byte("Name:\tarbiter\nVmHWM:\t 2048 kB\nVmRSS:\t 1024 kB\n"), 0o644))
	return root
}

func TestFindListener(t *testing.T) {
	tests := []struct {
		name    string
		port    int
		holders []string
		want    int
		err     string
	}{
		{"found", 7360, []string{"42"}, 42, ""},
		{"other port", 7350, []string{"42"}, 0, "no socket listens on port 7350"},
		{"not readable", 7360, nil, 0, "no readable process"},
		{"several", 7360, []string{"42", "44"}, 0, "several processes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeProc(t, "1CC0", tt.holders...) // 7360
			got, err := findListener(root, tt.port)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one about %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("= %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestProcCPUAndMem(t *testing.T) {
	root := fakeProc(t, "1CC0", "42")
	cpu, err := procCPU(root, 42)
	if err != nil || cpu != 3800*time.Millisecond {
		t.Fatalf("procCPU = %v, %v; want 3.8s", cpu, err)
	}
	mem, err := procMem(root, 42)
	if err != nil || mem.RSS != 1024 || mem.HWM != 2048 {
		t.Fatalf("procMem = %+v, %v", mem, err)
	}
	if _, err := procCPU(root, 99); err == nil {
		t.Fatal("a missing process must be an error")
	}
}

func TestRealProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	if _, err := procCPU("/proc", os.Getpid()); err != nil {
		t.Fatal(err)
	}
	mem, err := procMem("/proc", os.Getpid())
	if err != nil || mem.RSS <= 0 {
		t.Fatalf("%+v, %v", mem, err)
	}
	if selfCPU() <= 0 {
		t.Fatal("selfCPU = 0")
	}
}
