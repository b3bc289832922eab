// Package stdio connects to MCP servers that run as local commands (for example
// `npx -y @notionhq/notion-mcp-server`) and speak newline-delimited JSON-RPC on their stdin
// and stdout.
//
// Each transport is one child process. The child gets the bridge's environment plus the
// connection's env, plus secrets read from the keychain at spawn time (they live only in
// the child's environment: never in a file, a log line or an error). It runs in its own
// process group and is stopped in stages: close stdin, wait, SIGTERM the group, wait,
// SIGKILL the group. Its stderr goes, line by line, to Hooks.Log.
//
// A Connector keeps one warm spare: a child already spawned (not yet initialised) that the
// next Transport call takes, so a new client session does not wait for the command's cold
// start; a new spare is spawned in the background each time one is taken.
//
// The package also provides Conn, the newline-delimited JSON-RPC mcp.Connection used for
// children and, by the bridge, for the shim's socket.
package stdio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
)

// Settings are a stdio connection's stored settings (no secrets).
type Settings struct {
	Command string            `json:"command"`
	Args    []string          `json:"args,omitempty"`
	Env     map[string]string `json:"env,omitempty"`
	// SecretEnv names environment variables whose values are read from the keychain under
	// keychain.Key(connection, "env/"+NAME) each time a child is spawned.
	SecretEnv []string `json:"secret_env,omitempty"`
	Cwd       string   `json:"cwd,omitempty"`
	// WarmSpare keeps one spawned child ready for the next session; nil means true.
	WarmSpare *bool `json:"warm_spare,omitempty"`
}

// Stop timings of the staged shutdown. Variables so tests can shorten them.
var (
	stopGrace = 2 * time.Second // after closing stdin, before SIGTERM
	termGrace = 2 * time.Second // after SIGTERM, before SIGKILL
)

// Connector makes stdio transports for one connection. It is safe for concurrent use.
type Connector struct {
	name     string
	settings Settings
	store    keychain.Store
	hooks    connectors.Hooks
	warm     bool

	mu      sync.Mutex // guards the fields below
	spare   *child     // a spawned, not yet used child, or nil
	filling bool       // a spare is being spawned
	closed  bool

	fills sync.WaitGroup // background spawns of spares, waited for by Close
}

// ErrClosed is returned by Transport after Close.
var ErrClosed = errors.New("stdio connector closed")

// New returns a connector for the connection name with the given JSON settings (see
// Settings). Nothing is spawned until the first Transport call.
func New(name string, settings json.RawMessage, store keychain.Store, hooks connectors.Hooks) (*Connector, error) {
	var s Settings
	if err := json.Unmarshal(settings, &s); err != nil {
		return nil, fmt.Errorf("stdio connection %q: reading settings: %w", name, err)
	}
	if strings.TrimSpace(s.Command) == "" {
		return nil, fmt.Errorf("stdio connection %q has no command: add it again with `patchbay add stdio %s -- COMMAND ARGS...`", name, name)
	}
	for _, k := range s.SecretEnv {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return nil, fmt.Errorf("stdio connection %q: invalid secret env name %q", name, k)
		}
	}
	if len(s.SecretEnv) > 0 && store == nil {
		return nil, fmt.Errorf("stdio connection %q needs the keychain for %s but none was given", name, strings.Join(s.SecretEnv, ", "))
	}
	return &Connector{
		name:     name,
		settings: s,
		store:    store,
		hooks:    hooks,
		warm:     s.WarmSpare == nil || *s.WarmSpare,
	}, nil
}

// Transport returns a transport over a new child (the warm spare if one is ready). Errors
// that prevent spawning (command not found, a missing secret) are returned here, each
// saying what to do. Each transport is good for one Connect.
func (c *Connector) Transport(ctx context.Context) (mcp.Transport, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	sp := c.spare
	c.spare = nil
	c.mu.Unlock()

	if sp != nil && !sp.exited() {
		c.refill()
		return &transport{child: sp}, nil
	}
	if sp != nil {
		_ = sp.stop() // it died while waiting; its stderr is already logged
	}
	ch, err := c.spawn(ctx)
	if err != nil {
		return nil, err
	}
	c.refill()
	return &transport{child: ch}, nil
}

// refill spawns a spare in the background if warm spares are on and none is ready or
// being made. At most one spare exists at a time, and a new one is only made when one is
// taken, so a command that dies at once cannot make the connector spin.
func (c *Connector) refill() {
	if !c.warm {
		return
	}
	c.mu.Lock()
	if c.closed || c.filling || c.spare != nil {
		c.mu.Unlock()
		return
	}
	c.filling = true
	c.fills.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.fills.Done()
		ctx, cancel := context.WithTimeout(context.Background(), keychain.DefaultTimeout)
		defer cancel()
		ch, err := c.spawn(ctx)
		c.mu.Lock()
		c.filling = false
		if err != nil {
			c.mu.Unlock()
			c.hooks.LogLine("warn", "spawning warm spare: "+err.Error())
			return
		}
		if c.closed {
			c.mu.Unlock()
			_ = ch.stop()
			return
		}
		c.spare = ch
		c.mu.Unlock()
	}()
}

// Close stops the warm spare (if any) and refuses new transports. Children already handed
// out keep running until their sessions close. Idempotent.
func (c *Connector) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.fills.Wait() // a spare being spawned now is stopped by its goroutine
	c.mu.Lock()
	sp := c.spare
	c.spare = nil
	c.mu.Unlock()
	if sp != nil {
		return sp.stop()
	}
	return nil
}

// transport hands one child's connection to one mcp.Client.Connect.
type transport struct {
	mu    sync.Mutex // guards child
	child *child
}

// Connect implements mcp.Transport; it may be called once.
func (t *transport) Connect(context.Context) (mcp.Connection, error) {
	t.mu.Lock()
	ch := t.child
	t.child = nil
	t.mu.Unlock()
	if ch == nil {
		return nil, errors.New("stdio transport already connected")
	}
	return ch.conn, nil
}
