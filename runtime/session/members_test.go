package session

import (
	"strconv"
	"testing"
)

// TestMemberSet grows a set past the size where it is indexed and shrinks
// it back, checking every member all the way.
func TestMemberSet(t *testing.T) {
	var ms memberSet
	ss := make([]*Session, 40)
	for i := range ss {
		ss[i] = newSession(strconv.Itoa(i))
		if _, existed := ms.set(ss[i], Meta{Username: ss[i].Username}); existed {
			t.Fatal("a new member existed")
		}
	}
	if ms.index == nil || ms.len() != 40 {
		t.Fatalf("len %d, indexed %v", ms.len(), ms.index != nil)
	}
	if old, existed := ms.set(ss[3], Meta{Username: "x"}); !existed || old.Username != "3" {
		t.Fatal("replacing a member")
	}
	for i := 0; i < 35; i++ {
		if _, ok := ms.remove(ss[i]); !ok {
			t.Fatalf("member %d not removed", i)
		}
		for j := range ss {
			m, ok := ms.get(ss[j])
			if ok != (j > i) || (ok && j != 3 && m.Username != strconv.Itoa(j)) {
				t.Fatalf("after removing %d: member %d = %v, %v", i, j, m, ok)
			}
		}
	}
	if ms.index != nil || ms.len() != 5 {
		t.Fatalf("len %d, still indexed %v", ms.len(), ms.index != nil)
	}
	if _, ok := ms.remove(ss[0]); ok {
		t.Fatal("removed a member twice")
	}
}
