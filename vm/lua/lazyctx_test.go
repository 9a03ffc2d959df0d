package lua

import "testing"

// TestLazyContextIsAnOrdinaryTable checks that no code can tell an RPC's
// context table was filled on first use.
func TestLazyContextIsAnOrdinaryTable(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"field", "return context.execution_mode", "rpc"},
		{"nested", "return type(context.env) .. type(context.headers)", "tabletable"},
		{"pairs", "local n = 0 for k in pairs(context) do n = n + 1 end return tostring(n > 4)", "true"},
		{"next", "return tostring(next(context) ~= nil)", "true"},
		{"rawget", "return rawget(context, 'node')", "test"},
		{"metatable", "return tostring(getmetatable(context))", "nil"},
		{"json", "return nk.json_decode(nk.json_encode(context)).execution_mode", "rpc"},
		{"a field set before reading stays", "context.node = 'mine' return context.node .. context.execution_mode", "minerpc"},
		{"unknown field", "return tostring(context.nope)", "nil"},
		{"as a map argument", "return tostring(#nk.json_encode({c = context}) > 20)", "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rpc(t, rpcBody(tt.body))("in")
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
