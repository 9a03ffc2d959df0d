package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat: USER_HZ,
// which Linux fixes at 100 for user space on every architecture Go runs
// on (sysconf(_SC_CLK_TCK) would need cgo). CPU times of the server are
// therefore known to 10 ms, which is why windows are seconds long.
const clockTick = 10 * time.Millisecond

// parseStat returns utime and stime (fields 14 and 15, in clock ticks) of
// a /proc/<pid>/stat line. The command name (field 2) is in parentheses
// and may itself hold spaces and parentheses, so fields are counted from
// the last ')'.
func parseStat(data []byte) (utime, stime uint64, err error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return 0, 0, errors.New("stat: no command name")
	}
	f := strings.Fields(string(data[end+1:]))
	// f[0] is field 3 (state), so field n is f[n-3].
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("stat: %d fields after the command name, want at least 13", len(f))
	}
	if utime, err = strconv.ParseUint(f[11], 10, 64); err != nil {
		return 0, 0, fmt.Errorf("stat: utime: %v", err)
	}
	if stime, err = strconv.ParseUint(f[12], 10, 64); err != nil {
		return 0, 0, fmt.Errorf("stat: stime: %v", err)
	}
	return utime, stime, nil
}

// procCPU returns the CPU time (user + system) used so far by process pid
// under the proc file system root (normally "/proc").
func procCPU(root string, pid int) (time.Duration, error) {
	data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, err
	}
	u, s, err := parseStat(data)
	if err != nil {
		return 0, err
	}
	return time.Duration(u+s) * clockTick, nil
}

// parseStatus returns the "Name:  N kB" lines of /proc/<pid>/status as a
// map from name to kB (VmRSS, VmHWM, …); other lines are skipped.
func parseStatus(data []byte) map[string]int64 {
	out := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		if v, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			out[name] = v
		}
	}
	return out
}

// memKB is a process's resident set: now and its peak since it started.
type memKB struct {
	RSS, HWM int64
}

// procMem reads VmRSS and VmHWM of process pid.
func procMem(root string, pid int) (memKB, error) {
	data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "status"))
	if err != nil {
		return memKB{}, err
	}
	m := parseStatus(data)
	rss, ok := m["VmRSS"]
	if !ok {
		return memKB{}, errors.New("status: no VmRSS (a zombie process?)")
	}
	return memKB{RSS: rss, HWM: m["VmHWM"]}, nil
}

// selfCPU returns the CPU time (user + system) this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// listenInodes returns the socket inodes listening on port in a
// /proc/net/tcp or /proc/net/tcp6 table.
func listenInodes(data []byte, port int) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
		if len(f) < 10 || f[0] == "sl" {
			continue
		}
		const listen = "0A"
		if f[3] != listen {
			continue
		}
		_, hexPort, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		p, err := strconv.ParseUint(hexPort, 16, 16)
		if err != nil || int(p) != port {
			continue
		}
		if f[9] != "0" {
			out = append(out, f[9])
		}
	}
	return out
}

// findListener returns the process that listens on TCP port, found
// through root/net/tcp{,6} and the socket links in root/<pid>/fd. Only
// processes whose fd directory this user may read are seen.
func findListener(root string, port int) (int, error) {
	inodes := map[string]bool{}
	for _, name := range []string{"tcp", "tcp6"} {
		data, err := os.ReadFile(filepath.Join(root, "net", name))
		if err != nil {
			continue
		}
		for _, in := range listenInodes(data, port) {
			inodes["socket:["+in+"]"] = true
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("no socket listens on port %d", port)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return 0, err
	}
	found := map[int]bool{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		fdDir := filepath.Join(root, e.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue // not ours, or gone
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err == nil && inodes[link] {
				found[pid] = true
				break
			}
		}
	}
	switch len(found) {
	case 0:
		return 0, fmt.Errorf("a socket listens on port %d but no readable process holds it (another user's? pass -pid)", port)
	case 1:
		for pid := range found {
			return pid, nil
		}
	}
	pids := make([]int, 0, len(found))
	for pid := range found {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	return 0, fmt.Errorf("several processes listen on port %d (%v); pass -pid", port, pids)
}

// raiseNoFile raises the soft open-file limit to the hard limit and
// returns the resulting soft limit.
func raiseNoFile() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			return lim.Cur, err
		}
		lim = want
	}
	return lim.Cur, nil
}

// parseMaxOpenFiles returns the soft "Max open files" limit of a
// /proc/<pid>/limits file; 0 when absent or unlimited.
func parseMaxOpenFiles(data []byte) uint64 {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "Max open files")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 1 {
			return 0
		}
		v, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0
		}
		return v
	}
	return 0
}

// procMaxOpenFiles reads the soft open-file limit of process pid.
func procMaxOpenFiles(root string, pid int) uint64 {
	data, err := os.ReadFile(filepath.Join(root, strconv.Itoa(pid), "limits"))
	if err != nil {
		return 0
	}
	return parseMaxOpenFiles(data)
}
