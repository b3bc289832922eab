package bridge

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Wire types of the local API, shared by the server (api_server.go) and Client.

// ConnectionStatus is what the bridge knows about one connection right now.
type ConnectionStatus struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// State is one of the State* constants.
	State string `json:"state"`
	// Sessions are the AI-client sessions attached now.
	Sessions []SessionStatus `json:"sessions"`
	// Since is when the connection reached its current state (the uptime's start when ready).
	Since time.Time `json:"since,omitzero"`
	// Restarts counts upstream sessions lost and restarted since the bridge started.
	Restarts int `json:"restarts"`
	// LastError is the most recent error, redacted; "" if none.
	LastError     string    `json:"last_error,omitempty"`
	LastErrorTime time.Time `json:"last_error_time,omitzero"`
	// LastActivity is when a message last passed through this connection.
	LastActivity time.Time `json:"last_activity,omitzero"`
	// DisabledTools are hidden from clients.
	DisabledTools []string `json:"disabled_tools,omitempty"`
	// Summary is a one-line description of what the connection runs (a command, a URL).
	Summary string    `json:"summary,omitempty"`
	Created time.Time `json:"created,omitzero"`
	// Detail says more about the connection when the bridge knows it: for Notion,
	// "workspace Acme · integration Patchbay".
	Detail string `json:"detail,omitempty"`
}

// SessionStatus is one AI-client session through the bridge.
type SessionStatus struct {
	ID string `json:"id"`
	// Client is the client's name from its initialize request ("" until it has sent one).
	Client  string    `json:"client,omitempty"`
	Started time.Time `json:"started"`
	// Direct: the shim handed the client's stdin and stdout to the bridge, which relays
	// without it (Linux; see the README's "Speed").
	Direct bool `json:"direct,omitempty"`
}

// Connection states.
const (
	StateStopped   = "stopped"    // no session, nothing running
	StateStarting  = "starting"   // an upstream session is being set up
	StateReady     = "ready"      // at least one upstream session works
	StateError     = "error"      // the last attempt failed (see LastError)
	StateNeedsAuth = "needs-auth" // the user must (re)authorise the connection
)

// Status is the answer to GET /v1/status.
type Status struct {
	Bridge      BridgeInfo         `json:"bridge"`
	Connections []ConnectionStatus `json:"connections"`
}

// BridgeInfo describes the running bridge.
type BridgeInfo struct {
	PID     int       `json:"pid"`
	Version string    `json:"version"`
	Started time.Time `json:"started"`
	Socket  string    `json:"socket"`
	// LastEventID is the id of the newest event, for a reader that wants to follow from now.
	LastEventID uint64 `json:"last_event_id"`
}

// AddRequest is the body of POST /v1/connections.
type AddRequest struct {
	Name     string          `json:"name"`
	Kind     string          `json:"kind"`
	Settings json.RawMessage `json:"settings,omitempty"`
	// Secrets are stored in the keychain under keychain.Key(Name, item) before the connection
	// is saved; they are never written to state.json. For stdio, items are "env/VAR".
	Secrets map[string]string `json:"secrets,omitempty"`
	// Replace allows overwriting an existing connection of the same name.
	Replace bool `json:"replace,omitempty"`
}

// SecretRequest is the body of PUT /v1/connections/{name}/secrets/{item}.
type SecretRequest struct {
	Value string `json:"value"`
}

// ToolStatus is one upstream tool as `patchbay tools` shows it.
type ToolStatus struct {
	Name        string          `json:"name"`
	Title       string          `json:"title,omitempty"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema,omitempty"`
	Enabled     bool            `json:"enabled"`
}

// CallRequest is the body of POST /v1/connections/{name}/call.
type CallRequest struct {
	Tool      string          `json:"tool"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
	// TimeoutMillis bounds the call, 0 means 60 s.
	TimeoutMillis int `json:"timeout_ms,omitempty"`
}

// CallResult is the answer to a call: the tool's result as the upstream sent it (content,
// structuredContent, isError), plus how long it took.
type CallResult struct {
	Result        json.RawMessage `json:"result"`
	IsError       bool            `json:"is_error"`
	LatencyMicros int64           `json:"latency_us"`
}

// ToolEnableRequest is the body of PUT /v1/connections/{name}/tools/{tool}.
type ToolEnableRequest struct {
	Enabled bool `json:"enabled"`
}

// apiErrorBody is every non-2xx answer's body.
type apiErrorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

// Error codes of the local API.
const (
	CodeNotFound   = "not_found"   // no such connection (or tool)
	CodeExists     = "exists"      // a connection of that name exists
	CodeBadRequest = "bad_request" // the request is malformed; Error says how
	CodeForbidden  = "forbidden"   // a browser request (Origin header)
	CodeUpstream   = "upstream"    // the upstream failed (could not start, errored)
	CodeKeychain   = "keychain"    // the keychain is unavailable
	CodeInternal   = "internal"
)

// APIError is a non-2xx answer from the local API.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return e.Message
}

// IsNotFound reports whether err is the bridge saying a connection (or tool) does not exist.
func IsNotFound(err error) bool { return errCode(err) == CodeNotFound }

// IsExists reports whether err is the bridge refusing to overwrite a connection.
func IsExists(err error) bool { return errCode(err) == CodeExists }

func errCode(err error) string {
	var a *APIError
	if errors.As(err, &a) {
		return a.Code
	}
	return ""
}

// ErrAlreadyRunning is returned by Listen when another bridge holds the socket.
var ErrAlreadyRunning = errors.New("a Patchbay bridge is already running for this user")

// ErrNotRunning is returned by a Client whose bridge is not running (nothing listens on the
// socket).
var ErrNotRunning = errors.New("the Patchbay bridge is not running (start it with `patchbay bridge`)")

// NotFoundMessage is what a person reads when name is not a connection.
func NotFoundMessage(name string) string {
	return fmt.Sprintf("no connection named %q: add it first, for example `patchbay add stdio %s -- npx -y @notionhq/notion-mcp-server` or `patchbay add notion %s`; `patchbay status` lists connections", name, name, name)
}
