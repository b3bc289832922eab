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

// ClientStatus is one AI client's config as the bridge reports it (bridge.ClientStatus). The
// GUI keeps its own copy of the shape, field for field, so that it never imports clientconfig;
// the adapter converts between the two, which the compiler checks.
type ClientStatus struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	File        string   `json:"file"`
	Project     string   `json:"project,omitempty"`
	Installed   bool     `json:"installed"`
	State       string   `json:"state"` // one of the Client* constants
	Connections []string `json:"connections,omitempty"`
	Drifted     []string `json:"drifted,omitempty"`
	Error       string   `json:"error,omitempty"`
	AutoRepair  bool     `json:"auto_repair,omitempty"`
	Backup      string   `json:"backup,omitempty"`
}

// Client states, as the bridge reports them.
const (
	ClientNotInstalled = "not-installed"
	ClientNotConnected = "not-connected"
	ClientConnected    = "connected"
	ClientDrifted      = "drifted"
	ClientError        = "error"
)

// ClientChangeResult mirrors bridge.ClientChangeResult.
type ClientChangeResult struct {
	Client      string   `json:"client"`
	File        string   `json:"file"`
	Changed     bool     `json:"changed"`
	DryRun      bool     `json:"dry_run,omitempty"`
	Diff        string   `json:"diff,omitempty"`
	Backup      string   `json:"backup,omitempty"`
	Connections []string `json:"connections,omitempty"`
}

// ClientChange mirrors bridge.ClientChange: the body of POST /v1/clients/{id}.
type ClientChange struct {
	Action      string   `json:"action"` // one of the Action* constants
	Project     string   `json:"project,omitempty"`
	Connections []string `json:"connections,omitempty"`
	All         bool     `json:"all,omitempty"`
	DryRun      bool     `json:"dry_run,omitempty"`
	Replace     bool     `json:"replace,omitempty"`
}

// Client change actions.
const (
	ActionConnect    = "connect"
	ActionDisconnect = "disconnect"
	ActionRepair     = "repair"
	ActionRestore    = "restore"
)

// AuthorizeOptions mirrors bridge.AuthorizeOptions.
type AuthorizeOptions struct {
	Fresh       bool `json:"fresh,omitempty"`
	OpenBrowser bool `json:"open_browser,omitempty"`
}

// AuthorizeProgress mirrors bridge.AuthorizeProgress: one step of an OAuth login.
type AuthorizeProgress struct {
	URL string `json:"url,omitempty"`
	Log string `json:"log,omitempty"`
}
