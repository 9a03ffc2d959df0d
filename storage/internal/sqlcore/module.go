package sqlcore

import (
	"context"
	"errors"
	"time"

	"github.com/arbiterhq/arbiter/runtime"
)

var (
	errModulePath   = runtime.NewError(runtime.InvalidArgument, "A module needs a path.")
	errNoSuchModule = runtime.ErrNotFound.With("Module not found.")
)

// PutModule implements runtime.ModuleStore: one upsert.
func (s *Store) PutModule(ctx context.Context, path string, data []byte) (runtime.StoredModule, error) {
	if path == "" {
		return runtime.StoredModule{}, errModulePath
	}
	if data == nil {
		data = []byte{} // an empty file, not NULL
	}
	m := runtime.StoredModule{Path: path, Size: int64(len(data)), Hash: runtime.ModuleHash(data),
		UpdateTime: time.Now().UTC().Truncate(time.Microsecond)}
	_, err := s.db.Write().Exec(ctx, `INSERT INTO module (path, data, size, hash, update_time)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (path) DO UPDATE SET data = excluded.data, size = excluded.size,
		hash = excluded.hash, update_time = excluded.update_time`,
		path, data, m.Size, m.Hash, Micros(m.UpdateTime))
	if err != nil {
		return runtime.StoredModule{}, err
	}
	return m, nil
}

// GetModule implements runtime.ModuleStore.
func (s *Store) GetModule(ctx context.Context, path string) (runtime.StoredModule, error) {
	m := runtime.StoredModule{Path: path}
	var updated int64
	err := s.db.Read().QueryRow(ctx, "SELECT data, size, hash, update_time FROM module WHERE path = $1", path).
		Scan(&m.Data, &m.Size, &m.Hash, &updated)
	if errors.Is(err, ErrNoRows) {
		return runtime.StoredModule{}, errNoSuchModule
	}
	if err != nil {
		return runtime.StoredModule{}, err
	}
	if m.Data == nil {
		m.Data = []byte{}
	}
	m.UpdateTime = FromMicros(updated)
	return m, nil
}

// ListModules implements runtime.ModuleStore.
func (s *Store) ListModules(ctx context.Context, data bool) ([]runtime.StoredModule, error) {
	query := "SELECT path, size, hash, update_time FROM module ORDER BY path"
	if data {
		query = "SELECT path, size, hash, update_time, data FROM module ORDER BY path"
	}
	out := []runtime.StoredModule{}
	err := queryAll(ctx, s.db.Read(), func(rows Rows) error {
		var (
			m       runtime.StoredModule
			updated int64
		)
		dest := []any{&m.Path, &m.Size, &m.Hash, &updated}
		if data {
			dest = append(dest, &m.Data)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if data && m.Data == nil {
			m.Data = []byte{}
		}
		m.UpdateTime = FromMicros(updated)
		out = append(out, m)
		return nil
	}, query)
	return out, err
}

// DeleteModule implements runtime.ModuleStore.
func (s *Store) DeleteModule(ctx context.Context, path string) error {
	n, err := s.db.Write().Exec(ctx, "DELETE FROM module WHERE path = $1", path)
	if err != nil {
		return err
	}
	if n == 0 {
		return errNoSuchModule
	}
	return nil
}
