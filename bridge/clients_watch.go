package bridge

import (
	"context"
	"errors"
	"sync"

	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/clientconfig"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// clientsWatch is the bridge's one clientconfig.Manager and the watcher that forwards drift
// in AI clients' configs to the event log as events.KindClient events. Safe for concurrent
// use.
type clientsWatch struct {
	m    *clientconfig.Manager // nil when err says why there is none
	err  error
	sink events.Sink

	mu     sync.Mutex // guards cancel, done, closed
	cancel context.CancelFunc
	done   chan struct{}
	closed bool
}

// newClientsWatch sets up m (or, when m is nil, a Manager for this process: client files
// under HOME, Patchbay's files in paths.Default(), the running binary as the entries'
// command) with auto-repair read from st, and starts watching.
func newClientsWatch(m *clientconfig.Manager, st *state.Store, sink events.Sink) *clientsWatch {
	cw := &clientsWatch{m: m, sink: sink}
	if m == nil {
		l, err := paths.Default()
		if err == nil {
			m, err = clientconfig.NewManager(l)
		}
		if err != nil {
			cw.err = err
			return cw
		}
		cw.m = m
	}
	if m.AutoRepair == nil {
		m.AutoRepair = func(id string) bool { return st.Get().Clients[id].AutoRepair }
	}
	cw.start()
	return cw
}

// start runs Manager.Watch until stop. Called with mu not held.
func (cw *clientsWatch) start() {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	if cw.closed || cw.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	cw.cancel, cw.done = cancel, done
	go func() {
		defer close(done)
		err := cw.m.Watch(ctx, cw.forward)
		if err != nil && !errors.Is(err, context.Canceled) {
			cw.sink.Append(events.Event{Kind: events.KindLog, Level: "warn", Message: "not watching AI clients' configs: " + err.Error()})
		}
	}()
}

// stop ends the watcher and waits for it.
func (cw *clientsWatch) stop() {
	cw.mu.Lock()
	cancel, done := cw.cancel, cw.done
	cw.cancel, cw.done = nil, nil
	cw.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// recheck restarts the watcher, which checks every file at once (repairing those whose
// client now has auto-repair on).
func (cw *clientsWatch) recheck() {
	if cw.m == nil {
		return
	}
	cw.stop()
	cw.start()
}

// close stops the watcher for good. Idempotent.
func (cw *clientsWatch) close() {
	cw.mu.Lock()
	cw.closed = true
	cw.mu.Unlock()
	cw.stop()
}

// forward turns a DriftEvent into a KindClient event.
func (cw *clientsWatch) forward(d clientconfig.DriftEvent) {
	e := events.Event{Kind: events.KindClient, Client: d.Client, Message: ClientEventDrifted, Error: events.RedactString(d.Error)}
	switch {
	case d.Repaired:
		e.Message = ClientEventRepaired
	case len(d.Drifted) == 0 && d.Error != "":
		e.Message = ClientEventError
	}
	cw.sink.Append(e)
}
