package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/match"
	"github.com/arbiterhq/arbiter/runtime/metrics"
	"github.com/arbiterhq/arbiter/runtime/module"
)

// TestMeteredStoreTimesEveryPortMethod checks that every method of the
// store's ports is timed under its own name and passes the call through,
// so that a method added to a port cannot be forgotten.
func TestMeteredStoreTimesEveryPortMethod(t *testing.T) {
	st := reflect.TypeFor[Store]()
	var ports []string
	for i := range st.NumMethod() {
		if name := st.Method(i).Name; name != "Ping" && name != "Migrate" && name != "Close" {
			ports = append(ports, name)
		}
	}
	names := storeMethods[:]
	if !slices.Equal(slices.Sorted(slices.Values(ports)), slices.Sorted(slices.Values(names))) {
		t.Fatalf("timed methods %v, want the port methods %v", names, ports)
	}
	// Each call must reach the store's method of the same name and be
	// observed under that name.
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	for _, name := range ports {
		rec := &recordingStore{}
		ms := newMeteredStore(rec, m)
		meth := reflect.ValueOf(ms).MethodByName(name)
		args := make([]reflect.Value, meth.Type().NumIn())
		for i := range args {
			args[i] = reflect.Zero(meth.Type().In(i))
		}
		args[0] = reflect.ValueOf(context.Background())
		meth.Call(args)
		if rec.called != name {
			t.Errorf("%s called %q on the store", name, rec.called)
		}
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var hist *dto.MetricFamily
	for _, f := range fams {
		if f.GetName() == metrics.StoreQueryDuration {
			hist = f
		}
	}
	if hist == nil || len(hist.GetMetric()) != len(ports) {
		t.Fatalf("store histogram = %v", hist)
	}
	for _, s := range hist.GetMetric() {
		if s.GetHistogram().GetSampleCount() != 1 {
			t.Errorf("method %v observed %d times", s.GetLabel(), s.GetHistogram().GetSampleCount())
		}
	}
}

// recordingStore records the name of the port method called; Ping,
// Migrate and Close (not timed) come from the nil embedded Store.
type recordingStore struct {
	Store
	called string
}

func (r *recordingStore) Identify(context.Context, runtime.Identity, bool, runtime.NewUser) (runtime.Identified, error) {
	r.called = "Identify"
	return runtime.Identified{}, nil
}
func (r *recordingStore) Account(context.Context, string) (runtime.Account, error) {
	r.called = "Account"
	return runtime.Account{}, nil
}
func (r *recordingStore) UpdateAccount(context.Context, string, runtime.AccountUpdate) error {
	r.called = "UpdateAccount"
	return nil
}
func (r *recordingStore) Users(context.Context, []string, []string) ([]runtime.User, error) {
	r.called = "Users"
	return nil, nil
}
func (r *recordingStore) Revoke(context.Context, runtime.Revocation) error {
	r.called = "Revoke"
	return nil
}
func (r *recordingStore) Revocations(context.Context, time.Time) ([]runtime.Revocation, error) {
	r.called = "Revocations"
	return nil, nil
}
func (r *recordingStore) ReadObjects(context.Context, string, []runtime.ObjectID) ([]runtime.Object, error) {
	r.called = "ReadObjects"
	return nil, nil
}
func (r *recordingStore) WriteObjects(context.Context, string, []runtime.ObjectWrite) ([]runtime.ObjectAck, error) {
	r.called = "WriteObjects"
	return nil, nil
}
func (r *recordingStore) DeleteObjects(context.Context, string, []runtime.ObjectID) error {
	r.called = "DeleteObjects"
	return nil
}
func (r *recordingStore) ListObjects(context.Context, runtime.ObjectList) ([]runtime.Object, string, error) {
	r.called = "ListObjects"
	return nil, "", nil
}
func (r *recordingStore) AddNotifications(context.Context, []runtime.Notification) error {
	r.called = "AddNotifications"
	return nil
}
func (r *recordingStore) ListNotifications(context.Context, string, int, string) ([]runtime.Notification, string, error) {
	r.called = "ListNotifications"
	return nil, "", nil
}
func (r *recordingStore) DeleteNotifications(context.Context, string, []string) error {
	r.called = "DeleteNotifications"
	return nil
}
func (r *recordingStore) AddMessage(context.Context, runtime.ChannelMessage) error {
	r.called = "AddMessage"
	return nil
}
func (r *recordingStore) UpdateMessage(context.Context, runtime.ChannelMessage) (time.Time, error) {
	r.called = "UpdateMessage"
	return time.Time{}, nil
}
func (r *recordingStore) RemoveMessage(context.Context, string, string, string) (time.Time, error) {
	r.called = "RemoveMessage"
	return time.Time{}, nil
}
func (r *recordingStore) ListMessages(context.Context, runtime.MessageList) (runtime.MessagePage, error) {
	r.called = "ListMessages"
	return runtime.MessagePage{}, nil
}
func (r *recordingStore) PutModule(context.Context, string, []byte) (runtime.StoredModule, error) {
	r.called = "PutModule"
	return runtime.StoredModule{}, nil
}
func (r *recordingStore) GetModule(context.Context, string) (runtime.StoredModule, error) {
	r.called = "GetModule"
	return runtime.StoredModule{}, nil
}
func (r *recordingStore) ListModules(context.Context, bool) ([]runtime.StoredModule, error) {
	r.called = "ListModules"
	return nil, nil
}
func (r *recordingStore) DeleteModule(context.Context, string) error {
	r.called = "DeleteModule"
	return nil
}

// TestObservedRPC checks that an RPC's context carries its id and caller,
// that it is measured, and logged at debug level with the request's trace.
func TestObservedRPC(t *testing.T) {
	var seen runtime.LogFields
	mgr := module.NewManager(nil, &fakeEngine{rpc: func(ctx context.Context, _ *runtime.CallContext, _ string) (string, error) {
		seen = runtime.LogFieldsOf(ctx)
		return "", errors.New("boom")
	}})
	if _, err := mgr.Load(t.Context(), []module.File{{Name: "m", Path: "m.fake"}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := NewLogger(Config{LogLevel: "debug", LogFormat: "json"}, &buf)
	reg := prometheus.NewRegistry()
	rpc := observedRPC{next: mgr, metrics: metrics.New(reg), log: log}
	ctx := runtime.WithTraceID(context.Background(), "t1")
	if _, err := rpc.CallRPC(ctx, "Go", &runtime.CallContext{UserID: "u1", SessionID: "s1"}, ""); err == nil {
		t.Fatal("no error")
	}
	if want := (runtime.LogFields{TraceID: "t1", RPCID: "go", UserID: "u1", SessionID: "s1"}); seen != want {
		t.Errorf("fields = %+v, want %+v", seen, want)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	if line["msg"] != "rpc" || line[runtime.LogTrace] != "t1" || line[runtime.LogRPC] != "go" || line[runtime.LogError] != "boom" {
		t.Errorf("log line = %v", line)
	}
	if _, err := rpc.CallRPC(ctx, "missing", nil, ""); !errors.Is(err, runtime.ErrFunctionNotFound) {
		t.Fatalf("missing = %v", err)
	}
	var out bytes.Buffer
	fams, _ := reg.Gather()
	for _, f := range fams {
		if f.GetName() == metrics.RPCDuration {
			for _, m := range f.GetMetric() {
				out.WriteString(m.GetLabel()[0].GetValue() + " ")
			}
		}
	}
	if got := strings.TrimSpace(out.String()); got != "go unknown" {
		t.Errorf("rpc_id series = %q, want \"go unknown\"", got)
	}
}

// fakeEngine loads *.fake files, registering one RPC "go".
type fakeEngine struct {
	rpc module.RPCFunc
}

func (e *fakeEngine) Name() string          { return "fake" }
func (e *fakeEngine) Accepts(p string) bool { return strings.HasSuffix(p, ".fake") }
func (e *fakeEngine) Load(_ context.Context, _ []module.File, reg module.Registrations) (module.Instance, error) {
	reg.RPC("go", e.rpc)
	return fakeInstance{}, nil
}

type fakeInstance struct{}

func (fakeInstance) NewHandler(context.Context, string, match.Env) (match.Handler, error) {
	return nil, match.ErrModuleNotFound
}
func (fakeInstance) Close() {}
