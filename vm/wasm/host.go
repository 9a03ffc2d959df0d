package wasm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/tetratelabs/wazero/api"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/sdk/go/abi"
)

// HostModule is the name of the host module of ABI version 1.
const HostModule = abi.HostModule

// ABIVersion is the ABI version the engine implements.
const ABIVersion = abi.Version

const (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

// hostFunc is one import of arbiter_v1.
type hostFunc struct {
	name    string
	params  []api.ValueType
	results []api.ValueType
	run     func(i *instance, ctx context.Context, stack []uint64)
}

// hostFuncs are the imports of arbiter_v1 (sdk/ABI.md §4).
var hostFuncs = []hostFunc{
	{"take", []api.ValueType{i32, i32}, []api.ValueType{i32}, (*instance).hostTake},
	{"nk_call", []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i64}, (*instance).hostNK},
	{"log", []api.ValueType{i32, i32, i32, i32, i32}, []api.ValueType{i32}, (*instance).hostLog},
	{"match_broadcast", []api.ValueType{i64, i32, i32, i32, i32, i32, i32, i32}, []api.ValueType{i64}, (*instance).hostBroadcast},
	{"match_kick", []api.ValueType{i32, i32}, []api.ValueType{i64}, (*instance).hostKick},
	{"match_label_update", []api.ValueType{i32, i32}, []api.ValueType{i64}, (*instance).hostLabel},
}

func hostFuncNamed(name string) *hostFunc {
	for k := range hostFuncs {
		if hostFuncs[k].name == name {
			return &hostFuncs[k]
		}
	}
	return nil
}

// instantiateHost instantiates arbiter_v1 in the engine's runtime.
func (e *Engine) instantiateHost(ctx context.Context) error {
	b := e.rt.NewHostModuleBuilder(HostModule)
	for _, f := range hostFuncs {
		run, refused := f.run, uint64(statusNotAllowed)
		if f.results[0] == i64 {
			refused <<= 32
		}
		fn := api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
			i := e.instanceOf(mod)
			if i == nil { // an import called while the instance is being made
				stack[0] = refused
				return
			}
			run(i, ctx, stack)
		})
		b.NewFunctionBuilder().WithGoModuleFunction(fn, f.params, f.results).Export(f.name)
	}
	_, err := b.Instantiate(ctx)
	return err
}

func (i *instance) hostTake(_ context.Context, stack []uint64) {
	ptr, n := uint32(stack[0]), uint32(stack[1])
	if !i.pending {
		stack[0] = statusNotFound
		return
	}
	b := i.out.Bytes()
	if uint32(len(b)) < n {
		n = uint32(len(b))
	}
	if n > 0 && !i.mem.Write(ptr, b[:n]) {
		stack[0] = statusBadPointer
		return
	}
	i.pending = false
	stack[0] = statusOK
}

func (i *instance) hostNK(ctx context.Context, stack []uint64) {
	name, ok1 := i.read(uint32(stack[0]), uint32(stack[1]))
	args, ok2 := i.read(uint32(stack[2]), uint32(stack[3]))
	switch {
	case !ok1 || !ok2:
		stack[0] = i.bare(statusBadPointer)
	case ctx.Err() != nil:
		stack[0] = i.bare(statusBudget)
	default:
		stack[0] = i.nkCall(ctx, string(name), args)
	}
}

func (i *instance) nkCall(ctx context.Context, name string, args []byte) (word uint64) {
	f := i.m.e.cfg.API.Func(name)
	if f == nil {
		return i.errResult(statusNotFound, fmt.Errorf("nk function not found: %s", name))
	}
	var list []any
	if len(args) > 0 {
		v, err := abi.Decode(args)
		if err != nil {
			return i.errResult(statusMalformed, err)
		}
		var ok bool
		if list, ok = v.([]any); !ok && v != nil {
			return i.errResult(statusMalformed, errors.New("nk_call arguments must be a list"))
		}
	}
	defer func() {
		if r := recover(); r != nil {
			i.m.log.Error("nk function panicked", "function", name, "panic", r)
			word = i.errResult(statusError, fmt.Errorf("internal error in %s", name))
		}
	}()
	c := i.call
	c.Ctx = ctx
	results, err := f.Invoke(&c, list)
	if err != nil {
		return i.errResult(statusError, err)
	}
	i.out.Reset()
	i.out.List(len(results))
	for _, r := range results {
		if err := i.out.Value(r); err != nil {
			return i.errResult(statusError, fmt.Errorf("%s: %w", name, err))
		}
	}
	return i.result(statusOK)
}

var logLevels = [...]slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}

func (i *instance) hostLog(ctx context.Context, stack []uint64) {
	level := slog.LevelInfo
	if l := uint32(stack[0]); l < uint32(len(logLevels)) {
		level = logLevels[l]
	}
	msg, ok1 := i.read(uint32(stack[1]), uint32(stack[2]))
	fields, ok2 := i.read(uint32(stack[3]), uint32(stack[4]))
	if !ok1 || !ok2 {
		stack[0] = statusBadPointer
		return
	}
	// The module is in the logger; the match and trace come from the
	// call, as nk's logger_* functions add them, whatever the handler.
	var attrs []slog.Attr
	if c := i.call.Context; c != nil {
		if c.MatchID != "" {
			attrs = append(attrs, slog.String(runtime.LogMatch, c.MatchID))
		}
		if c.TraceID != "" {
			attrs = append(attrs, slog.String(runtime.LogTrace, c.TraceID))
		}
	}
	if len(fields) > 0 {
		v, err := abi.Decode(fields)
		m, isMap := v.(map[string]any)
		if err != nil || !isMap {
			stack[0] = statusMalformed
			return
		}
		for _, k := range abi.SortedKeys(m) {
			if hostLogKey(k) {
				continue // a guest cannot pass for another module or match
			}
			attrs = append(attrs, slog.Any(k, m[k]))
		}
	}
	i.m.log.LogAttrs(context.WithoutCancel(ctx), level, string(msg), attrs...)
	stack[0] = statusOK
}

// hostLogKey reports whether the host sets log key k on guest log lines.
func hostLogKey(k string) bool {
	return k == "runtime" || k == runtime.LogModule || k == runtime.LogMatch || k == runtime.LogTrace
}

// Flags of match_broadcast.
const (
	flagReliable = abi.FlagReliable
	flagDeferred = abi.FlagDeferred
)

func (i *instance) hostBroadcast(ctx context.Context, stack []uint64) {
	opCode, flags := int64(stack[0]), uint32(stack[7])
	data, ok1 := i.read(uint32(stack[1]), uint32(stack[2]))
	to, ok2 := i.read(uint32(stack[3]), uint32(stack[4]))
	sender, ok3 := i.read(uint32(stack[5]), uint32(stack[6]))
	if w, stop := i.dispatchCheck(ctx, ok1 && ok2 && ok3); stop {
		stack[0] = w
		return
	}
	if flags&^(flagReliable|flagDeferred) != 0 {
		stack[0] = i.errResult(statusMalformed, fmt.Errorf("unknown broadcast flags %#x", flags))
		return
	}
	ps, err := presenceList(to, len(to) == 0)
	if err != nil {
		stack[0] = i.errResult(statusMalformed, err)
		return
	}
	var from *match.Presence
	if len(sender) > 0 {
		if from, err = presenceValue(sender); err != nil {
			stack[0] = i.errResult(statusMalformed, err)
			return
		}
	}
	data = append([]byte(nil), data...)
	send := i.disp.Broadcast
	if flags&flagDeferred != 0 {
		send = i.disp.BroadcastDeferred
	}
	stack[0] = i.dispatched(send(opCode, data, ps, from, flags&flagReliable != 0))
}

func (i *instance) hostKick(ctx context.Context, stack []uint64) {
	b, ok := i.read(uint32(stack[0]), uint32(stack[1]))
	if w, stop := i.dispatchCheck(ctx, ok); stop {
		stack[0] = w
		return
	}
	ps, err := presenceList(b, false)
	if err != nil {
		stack[0] = i.errResult(statusMalformed, err)
		return
	}
	stack[0] = i.dispatched(i.disp.Kick(ps))
}

func (i *instance) hostLabel(ctx context.Context, stack []uint64) {
	b, ok := i.read(uint32(stack[0]), uint32(stack[1]))
	if w, stop := i.dispatchCheck(ctx, ok); stop {
		stack[0] = w
		return
	}
	stack[0] = i.dispatched(i.disp.UpdateLabel(string(b)))
}

// dispatchCheck answers a dispatcher call that cannot proceed.
func (i *instance) dispatchCheck(ctx context.Context, inBounds bool) (uint64, bool) {
	switch {
	case !inBounds:
		return i.bare(statusBadPointer), true
	case i.disp == nil:
		return i.errResult(statusNotAllowed, errors.New("the match dispatcher is only available in match callbacks")), true
	case ctx.Err() != nil:
		return i.bare(statusBudget), true
	}
	return 0, false
}

func (i *instance) dispatched(err error) uint64 {
	if err != nil {
		return i.errResult(statusError, err)
	}
	return i.bare(statusOK)
}

// presenceList decodes a list of presences; empty input is nil when
// emptyIsNil (every presence), else an empty list. It reads the presences
// straight into structs (a broadcast's recipients are on the hot path).
func presenceList(b []byte, emptyIsNil bool) ([]match.Presence, error) {
	if len(b) == 0 {
		if emptyIsNil {
			return nil, nil
		}
		return []match.Presence{}, nil
	}
	var d abi.Decoder
	d.Reset(b)
	if d.Tag() == abi.TagNil {
		d.Skip()
		return nil, d.End()
	}
	var ps []match.Presence
	var bad error
	isList := d.List(func(n int) { ps = make([]match.Presence, 0, n) }, func(int) {
		p, err := readPresence(&d)
		if err != nil && bad == nil {
			bad = err
		}
		ps = append(ps, p)
	})
	switch err := d.End(); {
	case err != nil:
		return nil, err
	case !isList:
		return nil, errors.New("expects a list of presences")
	case bad != nil:
		return nil, bad
	}
	return ps, nil
}

func presenceValue(b []byte) (*match.Presence, error) {
	var d abi.Decoder
	d.Reset(b)
	if d.Tag() == abi.TagNil {
		d.Skip()
		return nil, d.End()
	}
	p, bad := readPresence(&d)
	if err := d.End(); err != nil {
		return nil, err
	}
	return &p, bad
}

// readPresence reads a presence map; only session_id is required.
func readPresence(d *abi.Decoder) (match.Presence, error) {
	var p match.Presence
	isMap := d.Map(func(k []byte) {
		switch string(k) {
		case "user_id":
			p.UserID, _ = d.ReadString()
		case "session_id":
			p.SessionID, _ = d.ReadString()
		case "username":
			p.Username, _ = d.ReadString()
		case "node":
			p.Node, _ = d.ReadString()
		}
	})
	switch {
	case !isMap:
		return p, errors.New("expects a valid set of presences")
	case p.SessionID == "":
		return p, errors.New("expects each presence to have a valid session_id")
	}
	return p, nil
}
