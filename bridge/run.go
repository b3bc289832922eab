package bridge

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// RunOptions configure Run.
type RunOptions struct {
	Layout   paths.Layout
	Keychain keychain.Store
	Version  string
	Logger   *log.Logger
	// Ready, if set, is called once the bridge listens.
	Ready func()
}

// Run is `patchbay bridge`: it takes the socket (ErrAlreadyRunning if another bridge holds
// it), opens state.json and the event log, and serves until ctx is done or a client asks
// it to stop; then it ends every session and stops every child before returning.
func Run(ctx context.Context, o RunOptions) error {
	l := o.Layout
	if err := l.EnsureDirs(); err != nil {
		return err
	}
	ln, err := Listen(l.SocketPath())
	if err != nil {
		return err
	}
	defer ln.Close()
	store, err := state.Open(l.StateFile())
	if err != nil {
		return fmt.Errorf("opening %s: %w", l.StateFile(), err)
	}
	rot, err := events.NewRotator(l.LogDir(), 0, 0)
	if err != nil {
		return err
	}
	evlog := events.NewLog(0, rot)
	defer evlog.Close()
	b, err := New(Options{Store: store, Keychain: o.Keychain, Events: evlog, Socket: l.SocketPath(), Version: o.Version, Logger: o.Logger})
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- b.Serve(ln) }()
	evlog.Append(events.Event{Kind: events.KindLog, Level: "info", Message: "bridge started on " + l.SocketPath()})
	if o.Ready != nil {
		o.Ready()
	}
	select {
	case <-ctx.Done():
	case <-b.ShutdownRequested():
	case err = <-errc:
	}
	b.Close()
	evlog.Append(events.Event{Kind: events.KindLog, Level: "info", Message: "bridge stopped"})
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("serving the local API: %w", err)
	}
	return nil
}
