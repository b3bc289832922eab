package app

import (
	"context"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// bridgeBackend is the real Backend: the user's bridge over its local API. The client for
// the user's socket never changes, so it is made once; Start only makes sure something
// listens there.
type bridgeBackend struct {
	layout paths.Layout
	exe    string // the patchbay executable Start runs as `exe bridge`; "" means this one
	c      *bridge.Client
}

// newBridgeBackend returns the Backend of the user's bridge at l.
func newBridgeBackend(l paths.Layout, exe string) *bridgeBackend {
	return &bridgeBackend{layout: l, exe: exe, c: bridge.NewClient(l.SocketPath())}
}

func (b *bridgeBackend) Start(ctx context.Context) error {
	_, err := bridge.EnsureRunning(ctx, b.layout, b.exe)
	return err
}

func (b *bridgeBackend) Status(ctx context.Context) (*bridge.Status, error) { return b.c.Status(ctx) }

func (b *bridgeBackend) Add(ctx context.Context, req bridge.AddRequest) (*bridge.ConnectionStatus, error) {
	return b.c.Add(ctx, req)
}

func (b *bridgeBackend) Remove(ctx context.Context, name string) error { return b.c.Remove(ctx, name) }

func (b *bridgeBackend) SetSecret(ctx context.Context, name, item, value string) error {
	return b.c.SetSecret(ctx, name, item, value)
}

func (b *bridgeBackend) Tools(ctx context.Context, name string) ([]bridge.ToolStatus, error) {
	return b.c.Tools(ctx, name)
}

func (b *bridgeBackend) SetToolEnabled(ctx context.Context, name, tool string, enabled bool) error {
	return b.c.SetToolEnabled(ctx, name, tool, enabled)
}

func (b *bridgeBackend) Call(ctx context.Context, name string, req bridge.CallRequest) (*bridge.CallResult, error) {
	return b.c.Call(ctx, name, req)
}

func (b *bridgeBackend) Events(ctx context.Context, q bridge.EventsQuery, fn func(events.Event) error) error {
	return b.c.Events(ctx, q, fn)
}

func (b *bridgeBackend) Shutdown(ctx context.Context) error { return b.c.Shutdown(ctx) }
