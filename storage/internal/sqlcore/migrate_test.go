package sqlcore

import (
	"testing"
	"testing/fstest"
)

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	cases := []struct {
		name    string
		fs      fstest.MapFS
		want    []int64
		wantErr bool
	}{
		{"empty", fstest.MapFS{}, nil, false},
		{"sorted by number", fstest.MapFS{"10_b.sql": file("B"), "2_a.sql": file("A"), "README": file("")},
			[]int64{2, 10}, false},
		{"no number", fstest.MapFS{"init.sql": file("")}, nil, true},
		{"zero", fstest.MapFS{"0000_init.sql": file("")}, nil, true},
		{"duplicate", fstest.MapFS{"0001_a.sql": file(""), "1_b.sql": file("")}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms, err := LoadMigrations(c.fs)
			if (err != nil) != c.wantErr {
				t.Fatalf("error = %v, want error %v", err, c.wantErr)
			}
			var got []int64
			for _, m := range ms {
				got = append(got, m.Version)
			}
			if len(got) != len(c.want) {
				t.Fatalf("versions %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("versions %v, want %v", got, c.want)
				}
			}
		})
	}
	ms, _ := LoadMigrations(fstest.MapFS{"0007_add_things.sql": file("CREATE TABLE t (x TEXT);")})
	if ms[0].Name != "0007_add_things" || ms[0].SQL != "CREATE TABLE t (x TEXT);" {
		t.Fatalf("migration = %+v", ms[0])
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []listCursor{{}, {UserID: "u", Key: "k"}, {UserID: "", Key: "ключ 🎮 \"quoted\" \x00"}} {
		got, err := decodeCursor(c.encode())
		if err != nil || got != c {
			t.Fatalf("decode(encode(%+v)) = %+v, %v", c, got, err)
		}
	}
}

func TestParams(t *testing.T) {
	if got := params(3, 3); got != "$3, $4, $5" {
		t.Fatalf("params(3, 3) = %q", got)
	}
	if got := params(1, 0); got != "" {
		t.Fatalf("params(1, 0) = %q", got)
	}
}
