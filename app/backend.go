package app

import (
	"context"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
)

// Backend is everything the GUI asks of the bridge. The real one (bridgeBackend) wraps a
// *bridge.Client; tests and `make screenshot` use a fake with sample data. Every method may
// block on the network: call them only off Fyne's goroutine (see controller.async).
// Implementations are safe for concurrent use.
type Backend interface {
	// Start starts the bridge when none runs (bridge.EnsureRunning) and returns once it answers.
	Start(ctx context.Context) error
	Status(ctx context.Context) (*bridge.Status, error)
	Add(ctx context.Context, req bridge.AddRequest) (*bridge.ConnectionStatus, error)
	Remove(ctx context.Context, name string) error
	SetSecret(ctx context.Context, name, item, value string) error
	Tools(ctx context.Context, name string) ([]bridge.ToolStatus, error)
	SetToolEnabled(ctx context.Context, name, tool string, enabled bool) error
	Call(ctx context.Context, name string, req bridge.CallRequest) (*bridge.CallResult, error)
	// Events follows the event stream (see bridge.Client.Events).
	Events(ctx context.Context, q bridge.EventsQuery, fn func(events.Event) error) error
	// Shutdown stops the bridge.
	Shutdown(ctx context.Context) error

	Clients(ctx context.Context) ([]ClientStatus, error)
	ChangeClient(ctx context.Context, id string, ch ClientChange) (*ClientChangeResult, error)
	SetClientAutoRepair(ctx context.Context, id string, on bool) error
	// Authorize runs the OAuth login of a remote connection; see bridge.Client.Authorize.
	Authorize(ctx context.Context, name string, opts AuthorizeOptions, progress func(AuthorizeProgress)) error
	Logout(ctx context.Context, name string) error
}

// The client-config and OAuth types are the bridge's own (bridge aliases the client-config
// ones, so the GUI never imports clientconfig itself); the short names keep the GUI readable.
type (
	ClientStatus       = bridge.ClientStatus
	ClientChangeResult = bridge.ClientChangeResult
	ClientChange       = bridge.ClientChange
	AuthorizeOptions   = bridge.AuthorizeOptions
	AuthorizeProgress  = bridge.AuthorizeProgress
)

// Client states, as the bridge reports them.
const (
	ClientNotInstalled = bridge.ClientNotInstalled
	ClientNotConnected = bridge.ClientNotConnected
	ClientConnected    = bridge.ClientConnected
	ClientDrifted      = bridge.ClientDrifted
	ClientError        = bridge.ClientError
)

// Client change actions.
const (
	ActionConnect    = bridge.ActionConnect
	ActionDisconnect = bridge.ActionDisconnect
	ActionRepair     = bridge.ActionRepair
	ActionRestore    = bridge.ActionRestore
)
