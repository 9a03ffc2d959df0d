package rest

import (
	"net/http"

	"github.com/heroiclabs/nakama-common/api"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/arbiterhq/arbiter/api/wire"
	"github.com/arbiterhq/arbiter/runtime"
	"github.com/arbiterhq/arbiter/runtime/account"
)

func (h *Handler) routeAccounts() {
	h.mux.Handle("POST /v2/account/authenticate/device", h.basic(h.serve(h.authenticateDevice)))
	h.mux.Handle("POST /v2/account/authenticate/custom", h.basic(h.serve(h.authenticateCustom)))
	h.mux.Handle("POST /v2/account/authenticate/email", h.basic(h.serve(h.authenticateEmail)))
	h.mux.Handle("POST /v2/account/session/refresh", h.basic(h.serve(h.refresh)))
	h.mux.Handle("POST /v2/session/logout", h.bearer(h.serve(h.logout)))
	h.mux.Handle("GET /v2/account", h.bearer(h.serve(h.getAccount)))
	h.mux.Handle("PUT /v2/account", h.bearer(h.serve(h.updateAccount)))
	h.mux.Handle("GET /v2/user", h.bearer(h.serve(h.getUsers)))
}

// credentials reads the query parameters every authenticate call shares.
func credentials(r *http.Request, kind runtime.IdentityKind) (account.Credentials, error) {
	create, err := queryBool(r, "create", true)
	return account.Credentials{Kind: kind, Create: create, Username: r.URL.Query().Get("username")}, err
}

func (h *Handler) authenticateDevice(r *http.Request) (proto.Message, error) {
	return h.authenticateID(r, runtime.IdentityDevice, &api.AccountDevice{})
}

func (h *Handler) authenticateCustom(r *http.Request) (proto.Message, error) {
	return h.authenticateID(r, runtime.IdentityCustom, &api.AccountCustom{})
}

// idAccount is what the device and custom bodies have in common.
type idAccount interface {
	proto.Message
	GetId() string
	GetVars() map[string]string
}

func (h *Handler) authenticateID(r *http.Request, kind runtime.IdentityKind, body idAccount) (proto.Message, error) {
	c, err := credentials(r, kind)
	if err != nil {
		return nil, err
	}
	if err := h.decode(r, body); err != nil {
		return nil, err
	}
	c.ID, c.Vars = body.GetId(), body.GetVars()
	return h.authenticate(r, c)
}

func (h *Handler) authenticateEmail(r *http.Request) (proto.Message, error) {
	c, err := credentials(r, runtime.IdentityEmail)
	if err != nil {
		return nil, err
	}
	var body api.AccountEmail
	if err := h.decode(r, &body); err != nil {
		return nil, err
	}
	c.ID, c.Password, c.Vars = body.Email, body.Password, body.Vars
	return h.authenticate(r, c)
}

func (h *Handler) authenticate(r *http.Request, c account.Credentials) (proto.Message, error) {
	s, err := h.d.Accounts.Authenticate(r.Context(), c)
	if err != nil {
		return nil, err
	}
	return &api.Session{Created: s.Created, Token: s.Token, RefreshToken: s.RefreshToken}, nil
}

func (h *Handler) refresh(r *http.Request) (proto.Message, error) {
	var body api.SessionRefreshRequest
	if err := h.decode(r, &body); err != nil {
		return nil, err
	}
	s, err := h.d.Accounts.Refresh(r.Context(), body.Token, body.Vars)
	if err != nil {
		return nil, err
	}
	return &api.Session{Token: s.Token, RefreshToken: s.RefreshToken}, nil
}

func (h *Handler) logout(r *http.Request) (proto.Message, error) {
	var body api.SessionLogoutRequest
	if err := h.decode(r, &body); err != nil {
		return nil, err
	}
	err := h.d.Accounts.Logout(r.Context(), Caller(r.Context()).UserID, body.Token, body.RefreshToken)
	return &emptypb.Empty{}, err
}

func (h *Handler) getAccount(r *http.Request) (proto.Message, error) {
	a, err := h.d.Accounts.Account(r.Context(), Caller(r.Context()).UserID)
	if err != nil {
		return nil, err
	}
	return wire.Account(a), nil
}

func (h *Handler) updateAccount(r *http.Request) (proto.Message, error) {
	var body api.UpdateAccountRequest
	if err := h.decode(r, &body); err != nil {
		return nil, err
	}
	u := runtime.AccountUpdate{
		Username:    optional(body.Username.GetValue(), body.Username != nil),
		DisplayName: optional(body.DisplayName.GetValue(), body.DisplayName != nil),
		AvatarURL:   optional(body.AvatarUrl.GetValue(), body.AvatarUrl != nil),
		LangTag:     optional(body.LangTag.GetValue(), body.LangTag != nil),
		Location:    optional(body.Location.GetValue(), body.Location != nil),
		Timezone:    optional(body.Timezone.GetValue(), body.Timezone != nil),
	}
	err := h.d.Accounts.UpdateAccount(r.Context(), Caller(r.Context()).UserID, u)
	return &emptypb.Empty{}, err
}

func optional(v string, set bool) *string {
	if !set {
		return nil
	}
	return &v
}

func (h *Handler) getUsers(r *http.Request) (proto.Message, error) {
	q := r.URL.Query()
	users, err := h.d.Accounts.Users(r.Context(), q["ids"], q["usernames"])
	if err != nil {
		return nil, err
	}
	return wire.Users(users), nil
}
