package arbiter

import "fmt"

// takeBuf receives pending replies; they are decoded (copying what is
// kept) before the next host call, so it is reused.
var takeBuf []byte

// result reads an import's result word: the status and the pending reply,
// valid until the next host call.
func result(word uint64) (uint32, []byte) {
	status, n := uint32(word>>32), uint32(word)
	if n == 0 {
		return status, nil
	}
	if uint32(cap(takeBuf)) < n {
		takeBuf = make([]byte, n)
	}
	buf := takeBuf[:n]
	if hostTake(buf) != statusOK {
		return statusBadPointer, nil
	}
	return status, buf
}

func resultError(word uint64) error {
	status, pending := result(word)
	if status == statusOK {
		return nil
	}
	return errorOf(status, pending)
}

// Call calls the nk function name with args (values Encode accepts) and
// returns its results. The host checks the arguments; an error is an
// *Error with the host's message, or ErrBudget.
func Call(name string, args ...any) ([]any, error) {
	var b []byte
	if len(args) > 0 {
		scratch.Reset()
		if err := scratch.Value(args); err != nil {
			return nil, err
		}
		b = scratch.Bytes()
	}
	status, pending := result(hostNK(name, b))
	if status != statusOK {
		return nil, errorOf(status, pending)
	}
	v, err := Decode(pending)
	if err != nil {
		return nil, err
	}
	l, _ := v.([]any)
	return l, nil
}

// call1 calls a function of one result.
func call1(name string, args ...any) (any, error) {
	res, err := Call(name, args...)
	if err != nil || len(res) == 0 {
		return nil, err
	}
	return res[0], nil
}

// MatchCreate creates an authoritative match of the match handler module
// and returns its id.
func MatchCreate(module string, params map[string]any) (string, error) {
	v, err := call1("match_create", module, params)
	id, _ := v.(string)
	return id, err
}

// MatchSignal signals a match and returns its answer.
func MatchSignal(id, data string) (string, error) {
	v, err := call1("match_signal", id, data)
	s, _ := v.(string)
	return s, err
}

// StorageObjectID names a storage object; UserID "" is the server.
type StorageObjectID struct {
	Collection, Key, UserID string
}

// StorageObject is a stored object.
type StorageObject struct {
	Collection, Key, UserID, Version string
	Value                            map[string]any
	PermissionRead, PermissionWrite  int
	CreateTime, UpdateTime           int64
}

// StorageWrite is an object to write. Version "" writes whatever is
// stored, "*" only a new object; permissions default to 1.
type StorageWrite struct {
	Collection, Key, UserID, Version string
	Value                            map[string]any
	PermissionRead, PermissionWrite  int
}

// StorageAck is the new version of a written object.
type StorageAck struct {
	Collection, Key, UserID, Version string
}

// StorageRead reads objects, whatever their permissions.
func StorageRead(ids []StorageObjectID) ([]StorageObject, error) {
	l := make([]any, len(ids))
	for i, id := range ids {
		l[i] = optional(map[string]any{"collection": id.Collection, "key": id.Key, "user_id": id.UserID})
	}
	v, err := call1("storage_read", l)
	if err != nil {
		return nil, err
	}
	objs, _ := v.([]any)
	out := make([]StorageObject, len(objs))
	for i, o := range objs {
		m, _ := o.(map[string]any)
		out[i] = StorageObject{Collection: str(m["collection"]), Key: str(m["key"]), UserID: str(m["user_id"]),
			Version: str(m["version"]), PermissionRead: int(num(m["permission_read"])),
			PermissionWrite: int(num(m["permission_write"])), CreateTime: num(m["create_time"]),
			UpdateTime: num(m["update_time"])}
		out[i].Value, _ = m["value"].(map[string]any)
	}
	return out, nil
}

// StorageWriteObjects writes objects, all or none.
func StorageWriteObjects(objs []StorageWrite) ([]StorageAck, error) {
	l := make([]any, len(objs))
	for i, o := range objs {
		m := optional(map[string]any{"collection": o.Collection, "key": o.Key, "user_id": o.UserID, "version": o.Version})
		m["value"] = o.Value
		if o.PermissionRead != 0 || o.PermissionWrite != 0 {
			m["permission_read"], m["permission_write"] = int64(o.PermissionRead), int64(o.PermissionWrite)
		}
		l[i] = m
	}
	v, err := call1("storage_write", l)
	if err != nil {
		return nil, err
	}
	acks, _ := v.([]any)
	out := make([]StorageAck, len(acks))
	for i, a := range acks {
		m, _ := a.(map[string]any)
		out[i] = StorageAck{Collection: str(m["collection"]), Key: str(m["key"]), UserID: str(m["user_id"]), Version: str(m["version"])}
	}
	return out, nil
}

// optional drops empty string entries.
func optional(m map[string]any) map[string]any {
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}

func str(v any) string { s, _ := v.(string); return s }

func num(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

// Logger logs to the server log, tagged with the module.
var Logger logger

type logger struct{}

func (logger) log(level int32, msg string, kv []any) {
	var fields []byte
	if len(kv) > 0 {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			v := kv[i+1]
			if _, err := Encode(v); err != nil {
				v = fmt.Sprint(v)
			}
			m[fmt.Sprint(kv[i])] = v
		}
		var err error
		if fields, err = Encode(m); err != nil {
			fields = nil
		}
	}
	hostLog(level, msg, fields)
}

// Debug logs at debug level with key-value pairs.
func (l logger) Debug(msg string, kv ...any) { l.log(0, msg, kv) }

// Info logs at info level.
func (l logger) Info(msg string, kv ...any) { l.log(1, msg, kv) }

// Warn logs at warn level.
func (l logger) Warn(msg string, kv ...any) { l.log(2, msg, kv) }

// Error logs at error level.
func (l logger) Error(msg string, kv ...any) { l.log(3, msg, kv) }
