// Package bridge is Patchbay's daemon and its clients: the bridge serves a local API (HTTP
// over a per-user unix socket, or a named pipe on Windows) through which the CLI, the tray
// and the shims reach the connections; it relays each AI-client session to its upstream,
// supervises the connectors and keeps the event log.
//
// One bridge runs per user (and per PATCHBAY_HOME). It is the one process that writes
// state.json and reaches the keychain for the connectors; everything else is a Client.
package bridge

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/clientconfig"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// Options configure a Bridge.
type Options struct {
	// Store holds the connections. Required. The bridge is the only writer.
	Store *state.Store
	// Keychain holds the secrets. Required (keychain.System{} in production).
	Keychain keychain.Store
	// Events is the event log; nil means a memory-only log of events.DefaultCapacity.
	Events *events.Log
	// NewConnector builds connectors; nil means NewConnector (by kind).
	NewConnector ConnectorFactory
	// Socket is reported in the status (the path the bridge listens on).
	Socket string
	// Version is reported in the status.
	Version string
	// Logger receives the bridge's own diagnostics; nil means the standard logger.
	Logger *log.Logger
	// Clients edits AI clients' configs; nil means a clientconfig.Manager for this process
	// (client files under HOME, the running binary in entries). Its AutoRepair, when nil,
	// reads state.json. The bridge watches it for drift for its lifetime.
	Clients *clientconfig.Manager
	// OpenBrowser opens an authorization URL when a login asks the bridge to; nil means
	// the system browser.
	OpenBrowser func(url string) error
}

// Bridge is the daemon. Create it with New, run it with Serve, stop it with Close (or a
// client's Shutdown). Safe for concurrent use.
type Bridge struct {
	opts    Options
	log     *events.Log
	reg     *registry
	logger  *log.Logger
	started time.Time
	srv     *http.Server

	shutdown     chan struct{} // closed when a client asks the bridge to stop
	shutdownOnce sync.Once
	closeOnce    sync.Once
	unsubscribe  func()

	wg sync.WaitGroup // hijacked MCP streams still being served

	clients *clientsWatch // AI clients' configs and their drift watcher
	logins  loginSet      // OAuth logins running now
}

// New prepares a bridge over opts; nothing listens until Serve.
func New(opts Options) (*Bridge, error) {
	if opts.Store == nil || opts.Keychain == nil {
		return nil, errors.New("bridge: Store and Keychain are required")
	}
	b := &Bridge{opts: opts, log: opts.Events, logger: opts.Logger, started: time.Now(), shutdown: make(chan struct{})}
	if b.log == nil {
		b.log = events.NewLog(0, nil)
	}
	if b.logger == nil {
		b.logger = log.New(os.Stderr, "patchbay bridge: ", log.LstdFlags)
	}
	factory := opts.NewConnector
	if factory == nil {
		factory = NewConnector
	}
	b.reg = newRegistry(tap{b}, opts.Keychain, factory)
	b.reg.sync(opts.Store.Get())
	b.unsubscribe = opts.Store.Subscribe(b.reg.sync)
	b.clients = newClientsWatch(opts.Clients, opts.Store, tap{b})
	b.srv = &http.Server{
		Handler:           b.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          b.logger,
	}
	return b, nil
}

// tap is the Sink given to sessions and connectors: it records activity on the way to the log.
type tap struct{ b *Bridge }

func (t tap) Append(e events.Event) {
	if e.Kind == events.KindMessage && e.Connection != "" {
		now := e.Time
		if now.IsZero() {
			now = time.Now()
		}
		t.b.reg.touch(e.Connection, now)
	}
	t.b.log.Append(e)
	if e.Kind == events.KindLog && e.Level == "error" && e.Connection != "" {
		// A session could not reach its upstream (the relay logs why): that is the
		// connection's state until a session succeeds.
		if rt, ok := t.b.reg.get(e.Connection); ok {
			rt.setState(StateError, e.Message)
		}
	}
}

// Events is the bridge's event log.
func (b *Bridge) Events() *events.Log { return b.log }

// Serve answers the local API on ln until Close. It returns nil after Close.
func (b *Bridge) Serve(ln net.Listener) error {
	err := b.srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// ShutdownRequested is closed when a client asked the bridge to stop (POST /v1/shutdown);
// the process running the bridge then calls Close.
func (b *Bridge) ShutdownRequested() <-chan struct{} { return b.shutdown }

// Close stops listening, ends every session, closes every connector (stopping their
// children in stages) and flushes the event log. Idempotent.
func (b *Bridge) Close() error {
	b.closeOnce.Do(func() {
		b.unsubscribe()
		b.clients.close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		b.srv.Shutdown(ctx)
		cancel()
		b.srv.Close()
		b.reg.closeAll()
		done := make(chan struct{})
		go func() { b.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			b.logger.Printf("some sessions did not end within 15s of shutdown")
		}
	})
	return nil
}

func (b *Bridge) requestShutdown() {
	b.shutdownOnce.Do(func() { close(b.shutdown) })
}

// readWriteCloser joins a reader (the hijacked connection's buffered reader, which may hold
// bytes already read) with the connection as writer and closer.
type readWriteCloser struct {
	io.Reader
	io.Writer
	close func() error
}

func (r readWriteCloser) Close() error { return r.close() }
