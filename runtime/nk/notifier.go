package nk

import (
	"context"

	"github.com/arbiterhq/arbiter/runtime"
)

// Notifier sends notifications; runtime/notify.Service is one.
type Notifier interface {
	Send(ctx context.Context, ns []runtime.Notification) error
}
