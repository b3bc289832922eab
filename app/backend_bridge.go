package app

import (
	"context"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// bridgeBackend is the real Backend: the user's bridge over its local API. Every method but
// Start is the embedded client's own. The client for the user's socket never changes, so it
// is made once; Start only makes sure something listens there.
type bridgeBackend struct {
	*bridge.Client
	layout paths.Layout
	exe    string // the patchbay executable Start runs as `exe bridge`; "" means this one
}

var _ Backend = (*bridgeBackend)(nil)

// newBridgeBackend returns the Backend of the user's bridge at l.
func newBridgeBackend(l paths.Layout, exe string) *bridgeBackend {
	return &bridgeBackend{Client: bridge.NewClient(l.SocketPath()), layout: l, exe: exe}
}

func (b *bridgeBackend) Start(ctx context.Context) error {
	_, err := bridge.EnsureRunning(ctx, b.layout, b.exe)
	return err
}
