package storagetest

import (
	"strconv"
	"testing"

	"github.com/arbiterhq/arbiter/runtime"
)

// BenchIdentifyDeviceCreate measures creating an account for a new device.
func BenchIdentifyDeviceCreate(b *testing.B, s Store) {
	prefix := newID()
	i := 0
	for b.Loop() {
		i++
		n := prefix + strconv.Itoa(i)
		_, err := s.Identify(b.Context(), runtime.Identity{Kind: runtime.IdentityDevice, ID: "d" + n}, true,
			runtime.NewUser{ID: "u" + n, Username: "n" + n})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchIdentifyDeviceExisting measures finding the account of a known
// device, as a login does (create set, nothing to create).
func BenchIdentifyDeviceExisting(b *testing.B, s Store) {
	id := runtime.Identity{Kind: runtime.IdentityDevice, ID: "d" + newID()}
	if _, err := s.Identify(b.Context(), id, true, newUser()); err != nil {
		b.Fatal(err)
	}
	nu := newUser()
	for b.Loop() {
		res, err := s.Identify(b.Context(), id, true, nu)
		if err != nil || res.Created {
			b.Fatalf("Identify = %+v, %v", res, err)
		}
	}
}

// BenchWriteObject measures overwriting one object as its owner with the
// version precondition of the previous write, the usual save pattern.
func BenchWriteObject(b *testing.B, s Store) {
	owner := newID()
	w := write("bench", "save", owner, `{"n":0}`, runtime.ReadOwner, runtime.WriteOwner)
	for i := 0; b.Loop(); i++ {
		w.Value = `{"n":` + strconv.Itoa(i+1) + `}`
		acks, err := s.WriteObjects(b.Context(), owner, []runtime.ObjectWrite{w})
		if err != nil {
			b.Fatal(err)
		}
		w.Version = acks[0].Version
	}
}

// BenchReadObject measures reading one object as its owner.
func BenchReadObject(b *testing.B, s Store) {
	owner := newID()
	w := write("bench", "save", owner, `{"level":12,"items":["sword","shield"]}`, runtime.ReadOwner, runtime.WriteOwner)
	if _, err := s.WriteObjects(b.Context(), owner, []runtime.ObjectWrite{w}); err != nil {
		b.Fatal(err)
	}
	ids := []runtime.ObjectID{{Collection: "bench", Key: "save", UserID: owner}}
	for b.Loop() {
		objs, err := s.ReadObjects(b.Context(), owner, ids)
		if err != nil || len(objs) != 1 {
			b.Fatalf("ReadObjects = %d objects, %v", len(objs), err)
		}
	}
}
