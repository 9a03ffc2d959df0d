package storagetest

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

// testModules checks the module store: put, replace, get, list with and
// without data, delete, binary data and empty files.
func testModules(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	empty, err := s.ListModules(ctx, true)
	wantErr(t, err, nil)
	if len(empty) != 0 {
		t.Fatalf("new store has modules %+v", empty)
	}
	_, err = s.GetModule(ctx, "none.lua")
	wantErr(t, err, runtime.ErrNotFound)
	wantErr(t, s.DeleteModule(ctx, "none.lua"), runtime.ErrNotFound)

	before := time.Now().Add(-time.Second)
	lua := []byte("local nk = require('nakama')\n-- ключ 🎮\n")
	wasm := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x80}
	put, err := s.PutModule(ctx, "games/chess.lua", lua)
	wantErr(t, err, nil)
	if put.Path != "games/chess.lua" || put.Size != int64(len(lua)) || put.Hash != runtime.ModuleHash(lua) ||
		put.UpdateTime.Before(before) || put.Data != nil {
		t.Fatalf("PutModule = %+v", put)
	}
	_, err = s.PutModule(ctx, "arena.wasm", wasm)
	wantErr(t, err, nil)
	_, err = s.PutModule(ctx, "empty.lua", []byte{})
	wantErr(t, err, nil)

	got, err := s.GetModule(ctx, "games/chess.lua")
	wantErr(t, err, nil)
	if !bytes.Equal(got.Data, lua) || got.Hash != put.Hash || got.Size != put.Size || !got.UpdateTime.Equal(put.UpdateTime) {
		t.Fatalf("GetModule = %+v, want %+v with the data", got, put)
	}
	got, err = s.GetModule(ctx, "arena.wasm")
	wantErr(t, err, nil)
	if !bytes.Equal(got.Data, wasm) {
		t.Fatalf("binary data = %x, want %x", got.Data, wasm)
	}
	got, err = s.GetModule(ctx, "empty.lua")
	wantErr(t, err, nil)
	if got.Data == nil || len(got.Data) != 0 || got.Size != 0 {
		t.Fatalf("empty module = %+v", got)
	}

	list, err := s.ListModules(ctx, false)
	wantErr(t, err, nil)
	var paths []string
	for _, m := range list {
		paths = append(paths, m.Path)
		if m.Data != nil {
			t.Fatalf("ListModules without data returned data for %s", m.Path)
		}
	}
	wantEqual(t, "paths", paths, []string{"arena.wasm", "empty.lua", "games/chess.lua"})
	withData, err := s.ListModules(ctx, true)
	wantErr(t, err, nil)
	if len(withData) != 3 || !bytes.Equal(withData[0].Data, wasm) || !bytes.Equal(withData[2].Data, lua) || withData[1].Data == nil {
		t.Fatalf("ListModules with data = %+v", withData)
	}

	// Replacing keeps one row with the new data, hash and time.
	time.Sleep(2 * time.Millisecond)
	lua2 := []byte("return {}\n")
	put2, err := s.PutModule(ctx, "games/chess.lua", lua2)
	wantErr(t, err, nil)
	if !put2.UpdateTime.After(put.UpdateTime) || put2.Hash == put.Hash {
		t.Fatalf("replaced module %+v, first %+v", put2, put)
	}
	got, err = s.GetModule(ctx, "games/chess.lua")
	wantErr(t, err, nil)
	if !bytes.Equal(got.Data, lua2) || got.Size != int64(len(lua2)) || got.Hash != runtime.ModuleHash(lua2) {
		t.Fatalf("after replacing: %+v", got)
	}

	wantErr(t, s.DeleteModule(ctx, "games/chess.lua"), nil)
	_, err = s.GetModule(ctx, "games/chess.lua")
	wantErr(t, err, runtime.ErrNotFound)
	wantErr(t, s.DeleteModule(ctx, "games/chess.lua"), runtime.ErrNotFound)
	list, err = s.ListModules(ctx, false)
	wantErr(t, err, nil)
	if len(list) != 2 {
		t.Fatalf("after delete: %+v", list)
	}
}

// testModulesConcurrent checks that concurrent puts of one path leave one
// of the files, whole.
func testModulesConcurrent(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	datas := make([][]byte, 8)
	for i := range datas {
		datas[i] = bytes.Repeat([]byte{byte('a' + i)}, 4096)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.PutModule(ctx, "race.lua", datas[i]); err != nil {
				t.Errorf("PutModule: %v", err)
			}
		}()
	}
	wg.Wait()
	got, err := s.GetModule(ctx, "race.lua")
	wantErr(t, err, nil)
	for _, d := range datas {
		if bytes.Equal(got.Data, d) {
			if got.Hash != runtime.ModuleHash(d) {
				t.Fatalf("hash %s does not match the data", got.Hash)
			}
			return
		}
	}
	t.Fatalf("stored data is none of the files written: %.16q…", got.Data)
}
