package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/metrics"
	"github.com/arbiterhq/arbiter/runtime/module"
)

// observedRPC is the RPC caller the REST API and the socket share: it
// puts the RPC id in the call's log fields, measures the call and logs it
// at debug level.
type observedRPC struct {
	next    *module.Manager
	metrics *metrics.Metrics
	log     *slog.Logger
}

func (o observedRPC) CallRPC(ctx context.Context, id string, c *runtime.CallContext, payload string) (string, error) {
	have := runtime.LogFieldsOf(ctx)
	f := runtime.LogFields{RPCID: strings.ToLower(id)}
	if c != nil {
		f.UserID, f.SessionID = c.UserID, c.SessionID
		if have.TraceID == "" {
			f.TraceID = c.TraceID
		}
	}
	if f.RPCID != have.RPCID || f.UserID != have.UserID || f.SessionID != have.SessionID || f.TraceID != "" {
		ctx = runtime.WithLogFields(ctx, f) // the socket's context has them already
	}
	start := time.Now()
	out, err := o.next.CallRPC(ctx, id, c, payload)
	d := time.Since(start)
	o.metrics.RPC(id, d, err)
	if o.log.Enabled(ctx, slog.LevelDebug) {
		attrs := []any{"duration", d.String()}
		if err != nil {
			attrs = append(attrs, "code", runtime.CodeOf(err), runtime.LogError, err.Error())
		}
		o.log.DebugContext(ctx, "rpc", attrs...)
	}
	return out, err
}

// meteredStore times every operation of the store's ports, by method
// name, into arbiter_store_query_duration_seconds. It passes each call
// through unchanged.
type meteredStore struct {
	Store // Ping, Migrate and Close are not timed
	obs   [numStoreMethods]prometheus.Observer
}

// The timed methods, in the order of storeMethods.
const (
	mIdentify = iota
	mAccount
	mUpdateAccount
	mUsers
	mRevoke
	mRevocations
	mReadObjects
	mWriteObjects
	mDeleteObjects
	mListObjects
	mAddNotifications
	mListNotifications
	mDeleteNotifications
	mAddMessage
	mUpdateMessage
	mRemoveMessage
	mListMessages
	mPutModule
	mGetModule
	mListModules
	mDeleteModule
	numStoreMethods
)

// storeMethods are the method label values.
var storeMethods = [numStoreMethods]string{
	"Identify", "Account", "UpdateAccount", "Users", "Revoke", "Revocations",
	"ReadObjects", "WriteObjects", "DeleteObjects", "ListObjects",
	"AddNotifications", "ListNotifications", "DeleteNotifications",
	"AddMessage", "UpdateMessage", "RemoveMessage", "ListMessages",
	"PutModule", "GetModule", "ListModules", "DeleteModule",
}

func newMeteredStore(s Store, m *metrics.Metrics) *meteredStore {
	ms := &meteredStore{Store: s}
	for i, name := range storeMethods {
		ms.obs[i] = m.StoreObserver(name)
	}
	return ms
}

// done observes the time since start for method i.
func (s *meteredStore) done(i int, start time.Time) { s.obs[i].Observe(time.Since(start).Seconds()) }

func (s *meteredStore) Identify(ctx context.Context, id runtime.Identity, create bool, nu runtime.NewUser) (runtime.Identified, error) {
	defer s.done(mIdentify, time.Now())
	return s.Store.Identify(ctx, id, create, nu)
}

func (s *meteredStore) Account(ctx context.Context, userID string) (runtime.Account, error) {
	defer s.done(mAccount, time.Now())
	return s.Store.Account(ctx, userID)
}

func (s *meteredStore) UpdateAccount(ctx context.Context, userID string, u runtime.AccountUpdate) error {
	defer s.done(mUpdateAccount, time.Now())
	return s.Store.UpdateAccount(ctx, userID, u)
}

func (s *meteredStore) Users(ctx context.Context, ids, usernames []string) ([]runtime.User, error) {
	defer s.done(mUsers, time.Now())
	return s.Store.Users(ctx, ids, usernames)
}

func (s *meteredStore) Revoke(ctx context.Context, r runtime.Revocation) error {
	defer s.done(mRevoke, time.Now())
	return s.Store.Revoke(ctx, r)
}

func (s *meteredStore) Revocations(ctx context.Context, now time.Time) ([]runtime.Revocation, error) {
	defer s.done(mRevocations, time.Now())
	return s.Store.Revocations(ctx, now)
}

func (s *meteredStore) ReadObjects(ctx context.Context, caller string, ids []runtime.ObjectID) ([]runtime.Object, error) {
	defer s.done(mReadObjects, time.Now())
	return s.Store.ReadObjects(ctx, caller, ids)
}

func (s *meteredStore) WriteObjects(ctx context.Context, caller string, ws []runtime.ObjectWrite) ([]runtime.ObjectAck, error) {
	defer s.done(mWriteObjects, time.Now())
	return s.Store.WriteObjects(ctx, caller, ws)
}

func (s *meteredStore) DeleteObjects(ctx context.Context, caller string, ids []runtime.ObjectID) error {
	defer s.done(mDeleteObjects, time.Now())
	return s.Store.DeleteObjects(ctx, caller, ids)
}

func (s *meteredStore) ListObjects(ctx context.Context, q runtime.ObjectList) ([]runtime.Object, string, error) {
	defer s.done(mListObjects, time.Now())
	return s.Store.ListObjects(ctx, q)
}

func (s *meteredStore) AddNotifications(ctx context.Context, ns []runtime.Notification) error {
	defer s.done(mAddNotifications, time.Now())
	return s.Store.AddNotifications(ctx, ns)
}

func (s *meteredStore) ListNotifications(ctx context.Context, userID string, limit int, cursor string) ([]runtime.Notification, string, error) {
	defer s.done(mListNotifications, time.Now())
	return s.Store.ListNotifications(ctx, userID, limit, cursor)
}

func (s *meteredStore) DeleteNotifications(ctx context.Context, userID string, ids []string) error {
	defer s.done(mDeleteNotifications, time.Now())
	return s.Store.DeleteNotifications(ctx, userID, ids)
}

func (s *meteredStore) AddMessage(ctx context.Context, m runtime.ChannelMessage) error {
	defer s.done(mAddMessage, time.Now())
	return s.Store.AddMessage(ctx, m)
}

func (s *meteredStore) UpdateMessage(ctx context.Context, m runtime.ChannelMessage) (time.Time, error) {
	defer s.done(mUpdateMessage, time.Now())
	return s.Store.UpdateMessage(ctx, m)
}

func (s *meteredStore) RemoveMessage(ctx context.Context, channelID, id, senderID string) (time.Time, error) {
	defer s.done(mRemoveMessage, time.Now())
	return s.Store.RemoveMessage(ctx, channelID, id, senderID)
}

func (s *meteredStore) ListMessages(ctx context.Context, q runtime.MessageList) (runtime.MessagePage, error) {
	defer s.done(mListMessages, time.Now())
	return s.Store.ListMessages(ctx, q)
}

func (s *meteredStore) PutModule(ctx context.Context, path string, data []byte) (runtime.StoredModule, error) {
	defer s.done(mPutModule, time.Now())
	return s.Store.PutModule(ctx, path, data)
}

func (s *meteredStore) GetModule(ctx context.Context, path string) (runtime.StoredModule, error) {
	defer s.done(mGetModule, time.Now())
	return s.Store.GetModule(ctx, path)
}

func (s *meteredStore) ListModules(ctx context.Context, data bool) ([]runtime.StoredModule, error) {
	defer s.done(mListModules, time.Now())
	return s.Store.ListModules(ctx, data)
}

func (s *meteredStore) DeleteModule(ctx context.Context, path string) error {
	defer s.done(mDeleteModule, time.Now())
	return s.Store.DeleteModule(ctx, path)
}
