package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/arbiterhq/arbiter/runtime/nk"
)

// luaTypes maps the nk types to LuaLS types.
var luaTypes = map[nk.Type]string{
	nk.TypeAny:      "any",
	nk.TypeBool:     "boolean",
	nk.TypeInt:      "integer",
	nk.TypeNumber:   "number",
	nk.TypeString:   "string",
	nk.TypeBytes:    "string",
	nk.TypeList:     "any[]",
	nk.TypeMap:      "table<string, any>",
	nk.TypeTable:    "table",
	nk.TypeFunction: "function",
}

// paramTypes and resultTypes give a LuaLS type more precise than the nk
// type's, for parameters and results whose shape the descriptions only tell
// in prose. Keys are "function.name"; "*.name" applies to every function's
// parameter of that name. The test checks that every key names a parameter
// or result that exists, and that the type fits the nk type.
var paramTypes = map[string]string{
	"register_rpc.fn":                  "nk_rpc_function",
	"register_matchmaker_matched.fn":   "nk_matchmaker_matched_function",
	"register_shutdown.fn":             "nk_context_function",
	"run_once.fn":                      "nk_context_function",
	"storage_read.object_ids":          "nk_storage_object_id[]",
	"storage_write.objects":            "nk_storage_write[]",
	"storage_delete.object_ids":        "nk_storage_delete_id[]",
	"notification_send.content":        "table<string, any>",
	"notifications_send.notifications": "nk_notification[]",
	"*.stream":                         "nk_stream",
	"stream_send.presences":            "(nk_presence|nk_stream_presence|nk_stream_target)[]",
	"account_update_id.metadata":       "table<string, any>",
	"users_get_id.user_ids":            "string[]",
	"users_get_id.facebook_ids":        "string[]",
	"time.date":                        "nk_date",
	"event.properties":                 "table<string, string>",
}

var resultTypes = map[string]string{
	"get_context.context":        "nk_context",
	"match_get.match":            "nk_match",
	"match_list.matches":         "nk_match[]",
	"storage_read.objects":       "nk_storage_object[]",
	"storage_write.acks":         "nk_storage_ack[]",
	"storage_list.objects":       "nk_storage_object[]",
	"stream_user_get.meta":       "nk_stream_meta",
	"stream_user_list.presences": "nk_stream_presence[]",
	"account_get_id.account":     "nk_account",
	"users_get_id.users":         "nk_user[]",
}

// paramType returns the LuaLS type of parameter p of f.
func paramType(f *nk.Func, p nk.Param) string {
	if t, ok := paramTypes[f.Name+"."+p.Name]; ok {
		return t
	}
	if t, ok := paramTypes["*."+p.Name]; ok {
		return t
	}
	return luaTypes[p.Type]
}

// resultType returns the LuaLS type of result r of f, with |nil when it is
// nilable.
func resultType(f *nk.Func, r nk.Result) string {
	t, ok := resultTypes[f.Name+"."+r.Name]
	if !ok {
		t = luaTypes[r.Type]
	}
	if r.Nilable && t != "any" {
		t += "|nil"
	}
	return t
}

// defaultText writes a default value as a Lua literal.
func defaultText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return luaString(x)
	case []byte:
		return luaString(string(x))
	case bool:
		return strconv.FormatBool(x)
	case int64, float64:
		return nk.FormatNumber(x)
	}
	return fmt.Sprint(v)
}

// luaString quotes s as a Lua string literal.
func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
