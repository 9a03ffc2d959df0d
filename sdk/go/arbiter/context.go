package arbiter

import "github.com/arbiterhq/arbiter/sdk/go/abi"

// Raw returns the context map as the host sent it, keys this package does
// not know included. It is decoded on each call.
func (c *Context) Raw() map[string]any {
	v, _ := abi.Decode(c.raw)
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// readContext reads a context map of the input into a Context, without
// building the generic map (see Raw). Its strings are views of the input
// (see view).
func readContext() *Context {
	raw := in.RawValue()
	c := &Context{raw: raw}
	var d abi.Decoder
	d.Reset(raw)
	n, ok := d.EnterMap()
	for range n {
		switch k := d.Key(); string(k) {
		case "env":
			c.Env = readStrings(&d)
		case "execution_mode":
			c.ExecutionMode = readViewOf(&d)
		case "node":
			c.Node = readViewOf(&d)
		case "version":
			c.Version = readViewOf(&d)
		case "headers":
			c.Headers = readLists(&d)
		case "query_params":
			c.QueryParams = readLists(&d)
		case "user_id":
			c.UserID = readViewOf(&d)
		case "username":
			c.Username = readViewOf(&d)
		case "vars":
			c.Vars = readStrings(&d)
		case "user_session_exp":
			c.UserSessionExp, _ = d.ReadInt()
		case "session_id":
			c.SessionID = readViewOf(&d)
		case "lang":
			c.Lang = readViewOf(&d)
		case "client_ip":
			c.ClientIP = readViewOf(&d)
		case "client_port":
			c.ClientPort = readViewOf(&d)
		case "match_id":
			c.MatchID = readViewOf(&d)
		case "match_node":
			c.MatchNode = readViewOf(&d)
		case "match_label":
			c.MatchLabel = readViewOf(&d)
		case "match_tick_rate":
			r, _ := d.ReadInt()
			c.MatchTickRate = int(r)
		case "trace_id":
			c.TraceID = readViewOf(&d)
		default:
			d.Skip()
		}
	}
	if ok {
		d.Leave()
	}
	return c.withMaps()
}

// emptyContext is the context of a call whose input had none.
func emptyContext() *Context { return (&Context{}).withMaps() }

// withMaps gives c empty maps where it has none.
func (c *Context) withMaps() *Context {
	if c.Env == nil {
		c.Env = map[string]string{}
	}
	if c.Vars == nil {
		c.Vars = map[string]string{}
	}
	if c.Headers == nil {
		c.Headers = map[string][]string{}
	}
	if c.QueryParams == nil {
		c.QueryParams = map[string][]string{}
	}
	return c
}

// readViewOf reads a string (or bytes) of the input as a view of it (see
// view).
func readViewOf(d *abi.Decoder) string {
	b, _ := d.ReadBytes()
	return view(b)
}

// readStrings reads a map of strings (values of other types are "").
func readStrings(d *abi.Decoder) map[string]string {
	n, ok := d.EnterMap()
	m := make(map[string]string, n)
	for range n {
		k := view(d.Key())
		m[k] = readViewOf(d)
	}
	if ok {
		d.Leave()
	}
	return m
}

// readLists reads a map of lists of strings (elements of other types are
// "").
func readLists(d *abi.Decoder) map[string][]string {
	n, ok := d.EnterMap()
	m := make(map[string][]string, n)
	for range n {
		k := view(d.Key())
		l, isList := d.EnterList()
		vs := make([]string, l)
		for i := range vs {
			vs[i] = readViewOf(d)
		}
		if isList {
			d.Leave()
		}
		m[k] = vs
	}
	if ok {
		d.Leave()
	}
	return m
}
