package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

// racers is how many goroutines each concurrency test starts.
const racers = 8

// race runs fn(i) for i in [0, racers) at once and returns their errors.
func race(fn func(i int) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// winners counts the nil errors and fails the test on any error not in allowed.
func winners(t *testing.T, errs []error, allowed error) int {
	t.Helper()
	n := 0
	for _, err := range errs {
		switch {
		case err == nil:
			n++
		case !errors.Is(err, allowed):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	return n
}

func testConcurrency(t *testing.T, open Opener) {
	tests := []struct {
		name string
		run  func(t *testing.T, s Store)
	}{
		{"IdentifySameDevice", func(t *testing.T, s Store) { raceIdentify(t, s, false) }},
		{"IdentifySameDeviceAndUsername", func(t *testing.T, s Store) { raceIdentify(t, s, true) }},
		{"WriteSameVersion", raceWriteVersion},
		{"WriteIfAbsent", raceWriteAbsent},
		{"BatchesInOppositeOrders", raceBatches},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// raceIdentify identifies one new device from many goroutines at once: one
// account is created and every caller gets it.
func raceIdentify(t *testing.T, s Store, sameUsername bool) {
	id := runtime.Identity{Kind: runtime.IdentityDevice, ID: "raced-" + newID()}
	nus := make([]runtime.NewUser, racers)
	var ids []string
	for i := range nus {
		nus[i] = newUser()
		if sameUsername {
			nus[i].Username = "raced-name"
		}
		ids = append(ids, nus[i].ID)
	}
	results := make([]runtime.Identified, racers)
	errs := race(func(i int) (err error) {
		results[i], err = s.Identify(t.Context(), id, true, nus[i])
		return err
	})
	if n := winners(t, errs, nil); n != racers {
		t.Fatalf("%d of %d callers succeeded", n, racers)
	}
	created := 0
	for _, r := range results {
		if r.Created {
			created++
		}
		if r.User.ID != results[0].User.ID {
			t.Fatalf("callers got accounts %s and %s", results[0].User.ID, r.User.ID)
		}
	}
	users, err := s.Users(t.Context(), ids, nil)
	wantErr(t, err, nil)
	if created != 1 || len(users) != 1 {
		t.Fatalf("%d callers created an account, %d accounts exist; want 1 and 1", created, len(users))
	}
}

// raceWriteVersion writes one object from many goroutines with the same
// expected version: exactly one wins.
func raceWriteVersion(t *testing.T, s Store) {
	owner := "owner-" + newID()
	acks := mustWrite(t, s, server, write("race", "obj", owner, `{"n":-1}`, 1, 1))
	errs := race(func(i int) error {
		w := write("race", "obj", owner, fmt.Sprintf(`{"n":%d}`, i), 1, 1)
		w.Version = acks[0].Version
		_, err := s.WriteObjects(t.Context(), owner, []runtime.ObjectWrite{w})
		return err
	})
	if n := winners(t, errs, runtime.ErrVersionMismatch); n != 1 {
		t.Fatalf("%d writers won, want 1", n)
	}
	won := -1
	for i, err := range errs {
		if err == nil {
			won = i
		}
	}
	wantValue(t, s, "race", "obj", owner, fmt.Sprintf(`{"n":%d}`, won))
}

// raceWriteAbsent creates one object from many goroutines with "*": exactly
// one wins.
func raceWriteAbsent(t *testing.T, s Store) {
	errs := race(func(i int) error {
		w := write("race", "new", server, fmt.Sprintf(`{"n":%d}`, i), 2, 1)
		w.Version = "*"
		_, err := s.WriteObjects(t.Context(), server, []runtime.ObjectWrite{w, write("race", fmt.Sprint(i), server, "{}", 2, 1)})
		return err
	})
	if n := winners(t, errs, runtime.ErrVersionMismatch); n != 1 {
		t.Fatalf("%d writers won, want 1", n)
	}
	objs, _, err := s.ListObjects(t.Context(), runtime.ObjectList{Collection: "race"})
	wantErr(t, err, nil)
	if len(objs) != 2 {
		t.Fatalf("%d objects stored, want the winner's 2", len(objs))
	}
}

// raceBatches writes the same keys in opposite orders from many goroutines:
// every batch succeeds (no deadlock) and each object ends up written whole
// by one batch.
func raceBatches(t *testing.T, s Store) {
	owner := "owner-" + newID()
	errs := race(func(i int) error {
		ws := []runtime.ObjectWrite{
			write("batch", "k1", owner, fmt.Sprint(i), 1, 1),
			write("batch", "k2", owner, fmt.Sprint(i), 1, 1),
			write("batch", "k3", owner, fmt.Sprint(i), 1, 1),
		}
		if i%2 == 1 {
			ws[0], ws[2] = ws[2], ws[0]
		}
		_, err := s.WriteObjects(t.Context(), owner, ws)
		return err
	})
	if n := winners(t, errs, nil); n != racers {
		t.Fatalf("%d of %d batches succeeded", n, racers)
	}
	k1, _ := readOne(t, s, "batch", "k1", owner)
	for _, k := range []string{"k2", "k3"} {
		wantValue(t, s, "batch", k, owner, k1.Value)
	}
}
