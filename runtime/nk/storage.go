package nk

import (
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/object"
)

// The storage group: storage objects through runtime/object.Service, as the
// server (caller ""), which bypasses permissions; storage_list may name a
// caller whose permissions then apply.
//
// Objects owned by the server are named, in and out, by the nil UUID
// "00000000-0000-0000-0000-000000000000", as Nakama stores them; an absent
// user_id means the server too.

const objectDoc = "An object table: collection, key, user_id (the nil UUID for the server), version, permission_read, permission_write, create_time, update_time (unix seconds) and value (the decoded JSON object)."

func (a *API) storageFuncs() []*Func {
	return []*Func{
		{
			Name: "storage_read",
			Doc:  "Reads storage objects by id, whatever their permissions. Objects that do not exist are left out; the order is not that of the ids.",
			Params: []Param{{Name: "object_ids", Type: TypeTable,
				Doc: "A list of tables {collection, key, user_id?}: collection and key non-empty strings, user_id a UUID (absent for the server's objects)."}},
			Results: []Result{{Name: "objects", Type: TypeList, Doc: "A list of object tables. " + objectDoc}},
			Run:     a.storageRead,
		},
		{
			Name: "storage_write",
			Doc:  "Writes storage objects, all or none, whatever their permissions.",
			Params: []Param{{Name: "objects", Type: TypeTable,
				Doc: "A list of tables {collection, key, user_id?, value, version?, permission_read?, permission_write?}: value a table stored as a JSON object; version \"*\" to write only a new object or a version the stored object must have; permissions default to 1 (owner read) and 1 (owner write)."}},
			Results: []Result{{Name: "acks", Type: TypeList,
				Doc: "A list of tables {collection, key, user_id, version}, one per object in input order, with each object's new version."}},
			Run: a.storageWrite,
		},
		{
			Name: "storage_delete",
			Doc:  "Deletes storage objects, all or none, whatever their permissions. A missing object named without a version is skipped.",
			Params: []Param{{Name: "object_ids", Type: TypeTable,
				Doc: "A list of tables {collection, key, user_id?, version?}: with a version, the object is deleted only if it has that version."}},
			Run: a.storageDelete,
		},
		{
			Name:   "storage_list",
			Doc:    "Lists a page of a collection's objects, of one owner or of every owner.",
			Params: storageListParams(),
			Results: []Result{
				{Name: "objects", Type: TypeList, Doc: "A list of object tables. " + objectDoc},
				{Name: "cursor", Type: TypeString, Nilable: true, Doc: "The cursor of the next page, or nil when there is none."},
			},
			Run: a.storageList,
		},
	}
}

func storageListParams() []Param {
	return []Param{
		{Name: "user_id", Type: TypeString, Optional: true, Default: "",
			Doc: "The owner whose objects to list; \"\" or nil for every owner, the nil UUID for the server's objects."},
		{Name: "collection", Type: TypeString, Optional: true, Default: "", Doc: "The collection to list."},
		{Name: "limit", Type: TypeInt, Doc: "The most objects to return; 0 returns none."},
		{Name: "cursor", Type: TypeString, Optional: true, Default: "", Doc: "The cursor of the page to list, from an earlier call; \"\" for the first page."},
		{Name: "caller_id", Type: TypeString, Optional: true, Default: "",
			Doc: "A user whose read permissions apply; \"\" or nil for the server, which reads everything."},
	}
}

// objectFields are the fields of one object table, checked.
type objectFields struct {
	collection, key, userID, version string
	value                            string
	read, write                      *int
}

// parseObject checks one element of a storage_* argument: a table whose
// known fields have the right types, with collection and key supplied.
func parseObject(fn string, elem any, setMsg string, write bool) (objectFields, error) {
	var o objectFields
	m, ok := elem.(map[string]any)
	if !ok {
		if _, isList := elem.([]any); !isList {
			return o, badArg(fn, 1, setMsg)
		}
	}
	if err := o.parseNames(fn, m); err != nil {
		return o, err
	}
	if err := o.parseVersion(fn, m); err != nil {
		return o, err
	}
	if write {
		if err := o.parseWrite(fn, m); err != nil {
			return o, err
		}
	}
	switch {
	case o.collection == "":
		return o, badArg(fn, 1, "expects collection to be supplied")
	case o.key == "":
		return o, badArg(fn, 1, "expects key to be supplied")
	case write && o.value == "":
		return o, badArg(fn, 1, "expects value to be supplied")
	}
	return o, nil
}

func (o *objectFields) parseNames(fn string, m map[string]any) error {
	for _, f := range []struct {
		name string
		dst  *string
	}{{"collection", &o.collection}, {"key", &o.key}} {
		v, present := m[f.name]
		if !present {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return badArg(fn, 1, "expects "+f.name+" to be string")
		}
		if s == "" {
			return badArg(fn, 1, "expects "+f.name+" to be a non-empty string")
		}
		*f.dst = s
	}
	if v, present := m["user_id"]; present {
		s, ok := v.(string)
		if !ok {
			return badArg(fn, 1, "expects user_id to be string")
		}
		if !runtime.ValidUUID(s) {
			return badArg(fn, 1, "expects user_id to be a valid ID")
		}
		o.userID = ownerIn(s)
	}
	return nil
}

func (o *objectFields) parseVersion(fn string, m map[string]any) error {
	v, present := m["version"]
	if !present {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return badArg(fn, 1, "expects version to be string")
	}
	if s == "" {
		return badArg(fn, 1, "expects version to be a non-empty string")
	}
	o.version = s
	return nil
}

func (o *objectFields) parseWrite(fn string, m map[string]any) error {
	if v, present := m["value"]; present {
		if !isTable(v) {
			return badArg(fn, 1, "expects value to be table")
		}
		b, err := encodeJSON(tableMap(v))
		if err != nil {
			return badArg(fn, 1, "failed to convert value: "+err.Error())
		}
		o.value = string(b)
	}
	for _, f := range []struct {
		name string
		dst  **int
	}{{"permission_read", &o.read}, {"permission_write", &o.write}} {
		v, present := m[f.name]
		if !present {
			continue
		}
		n, ok := v.(int64)
		if fv, isFloat := v.(float64); isFloat {
			n, ok = int64(fv), true
		}
		if !ok {
			return badArg(fn, 1, "expects "+f.name+" to be number")
		}
		p := int(int32(n))
		*f.dst = &p
	}
	return nil
}

func (a *API) storageRead(c *Call, args []any) ([]any, error) {
	elems := listElems(args[0])
	if len(elems) == 0 {
		return []any{[]any{}}, nil
	}
	ids := make([]runtime.ObjectID, len(elems))
	for i, e := range elems {
		o, err := parseObject("storage_read", e, "expects a valid set of keys", false)
		if err != nil {
			return nil, err
		}
		ids[i] = runtime.ObjectID{Collection: o.collection, Key: o.key, UserID: o.userID}
	}
	if a.d.Objects == nil {
		return nil, unavailable("storage_read")
	}
	objs, err := a.d.Objects.Read(callCtx(c), "", ids)
	if err != nil {
		return nil, wrap("failed to read storage objects: ", err)
	}
	out, err := objectTables(objs)
	if err != nil {
		return nil, err
	}
	return []any{out}, nil
}

func objectTables(objs []runtime.Object) ([]any, error) {
	out := make([]any, len(objs))
	for i, o := range objs {
		value, err := decodeObject(o.Value)
		if err != nil {
			return nil, Errorf("failed to convert value to json: %v", err)
		}
		out[i] = map[string]any{
			"collection":       o.Collection,
			"key":              o.Key,
			"user_id":          ownerOut(o.UserID),
			"version":          o.Version,
			"permission_read":  int64(o.PermissionRead),
			"permission_write": int64(o.PermissionWrite),
			"create_time":      unixSeconds(o.CreateTime),
			"update_time":      unixSeconds(o.UpdateTime),
			"value":            value,
		}
	}
	return out, nil
}

func (a *API) storageWrite(c *Call, args []any) ([]any, error) {
	elems := listElems(args[0])
	if len(elems) == 0 {
		return []any{[]any{}}, nil
	}
	ws := make([]runtime.ObjectWrite, len(elems))
	for i, e := range elems {
		o, err := parseObject("storage_write", e, "expects a valid set of data", true)
		if err != nil {
			return nil, err
		}
		ws[i] = runtime.ObjectWrite{
			Collection: o.collection, Key: o.key, UserID: o.userID, Value: o.value, Version: o.version,
			PermissionRead: permOr(o.read, runtime.ReadOwner), PermissionWrite: permOr(o.write, runtime.WriteOwner),
		}
	}
	if a.d.Objects == nil {
		return nil, unavailable("storage_write")
	}
	acks, err := a.d.Objects.Write(callCtx(c), "", ws)
	if err != nil {
		return nil, wrap("failed to write storage objects: ", err)
	}
	out := make([]any, len(acks))
	for i, k := range acks {
		out[i] = map[string]any{
			"collection": k.Collection, "key": k.Key, "user_id": ownerOut(k.UserID), "version": k.Version,
		}
	}
	return []any{out}, nil
}

func permOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func (a *API) storageDelete(c *Call, args []any) ([]any, error) {
	elems := listElems(args[0])
	if len(elems) == 0 {
		return nil, nil
	}
	ids := make([]runtime.ObjectID, len(elems))
	for i, e := range elems {
		o, err := parseObject("storage_delete", e, "expects a valid set of object IDs", false)
		if err != nil {
			return nil, err
		}
		ids[i] = runtime.ObjectID{Collection: o.collection, Key: o.key, UserID: o.userID, Version: o.version}
	}
	if a.d.Objects == nil {
		return nil, unavailable("storage_delete")
	}
	if err := a.d.Objects.Delete(callCtx(c), "", ids); err != nil {
		return nil, wrap("failed to remove storage: ", err)
	}
	return nil, nil
}

func (a *API) storageList(c *Call, args []any) ([]any, error) {
	userID, collection, limit := args[0].(string), args[1].(string), args[2].(int64)
	cursor, caller := args[3].(string), args[4].(string)
	q := runtime.ObjectList{Collection: collection, Cursor: cursor}
	if userID != "" {
		if !runtime.ValidUUID(userID) {
			return nil, badArg("storage_list", 1, "expects empty or a valid user ID")
		}
		owner := ownerIn(userID)
		q.UserID = &owner
	}
	switch {
	case limit < 0:
		return nil, badArg("storage_list", 3, "limit must not be negative")
	case caller != "" && !runtime.ValidUUID(caller):
		return nil, badArg("storage_list", 5, "expects caller ID to be empty or a valid identifier")
	case limit == 0:
		return []any{[]any{}, nil}, nil
	case a.d.Objects == nil:
		return nil, unavailable("storage_list")
	}
	q.Caller = ownerIn(caller)
	objs, next, err := a.listPages(c, q, limit)
	if err != nil {
		return nil, wrap("failed to list storage objects: ", err)
	}
	out, err := objectTables(objs)
	if err != nil {
		return nil, err
	}
	if next == "" {
		return []any{out, nil}, nil
	}
	return []any{out, next}, nil
}

// listPages lists up to limit objects in pages of at most
// object.MaxListLimit: Nakama's storage_list has no upper limit, the object
// service does. The cursor returned is that of the last page read.
func (a *API) listPages(c *Call, q runtime.ObjectList, limit int64) ([]runtime.Object, string, error) {
	var all []runtime.Object
	for {
		q.Limit = int(min(limit-int64(len(all)), object.MaxListLimit))
		objs, next, err := a.d.Objects.List(callCtx(c), q)
		if err != nil {
			return nil, "", err
		}
		all = append(all, objs...)
		if next == "" || int64(len(all)) >= limit {
			return all, next, nil
		}
		q.Cursor = next
	}
}
