package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
)

// controller holds what the GUI knows of the bridge and keeps it current: it follows the
// bridge's event stream (push), refreshes the status when a state or client event arrives and
// every few seconds (for uptimes, and to notice a bridge that went away), and feeds the
// Inspector's live log in batches.
//
// Threads: backend calls run through async, never on Fyne's goroutine; their results are
// applied through ui (fyne.Do). The fields under "UI state" are touched only on Fyne's
// goroutine. Tests replace async and ui with inline calls, so every action is synchronous.
type controller struct {
	app fyne.App
	be  Backend

	async func(func())     // runs blocking work off the UI thread
	now   func() time.Time // the clock uptimes are counted on
	ui    func(func())     // runs f on Fyne's goroutine

	log *eventLog

	pendingMu sync.Mutex     // guards pending
	pending   []events.Event // events received since the last flush
	// stale is set by state and client events; the next flush refreshes the status once,
	// however many such events came in the batch.
	stale atomic.Bool

	// UI state.
	online       bool
	offlineWhy   error
	status       *bridge.Status
	clients      []ClientStatus
	clientErr    error
	starting     bool
	listeners    []func()
	logListeners []func()
	states       map[string]string // last known state per connection, for notifications
}

// newController returns a controller of be, not yet running.
func newController(a fyne.App, be Backend) *controller {
	return &controller{
		app:    a,
		be:     be,
		async:  func(f func()) { go f() },
		ui:     fyne.Do,
		now:    time.Now,
		log:    newEventLog(logCapacity),
		states: map[string]string{},
	}
}

// onChange registers f to run on Fyne's goroutine after each status refresh.
func (c *controller) onChange(f func()) { c.listeners = append(c.listeners, f) }

// onLog registers f to run on Fyne's goroutine after each batch of log events.
func (c *controller) onLog(f func()) { c.logListeners = append(c.logListeners, f) }

// connections returns the connections as last seen, sorted by name.
func (c *controller) connections() []bridge.ConnectionStatus {
	if c.status == nil {
		return nil
	}
	return c.status.Connections
}

// refresh reads the status and the clients off the UI thread and applies them.
func (c *controller) refresh() {
	c.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := c.be.Status(ctx)
		var cl []ClientStatus
		var cerr error
		if err == nil {
			cl, cerr = c.be.Clients(ctx)
		}
		c.ui(func() { c.apply(st, err, cl, cerr) })
	})
}

// apply takes a refresh's results in, notifies what needs the user, and tells the screens.
func (c *controller) apply(st *bridge.Status, err error, cl []ClientStatus, cerr error) {
	if err != nil {
		c.online, c.offlineWhy = false, err
	} else {
		c.online, c.offlineWhy = true, nil
		sort.Slice(st.Connections, func(i, j int) bool { return st.Connections[i].Name < st.Connections[j].Name })
		c.status = st
		c.clients, c.clientErr = cl, cerr
		c.notifyStates(st.Connections)
	}
	for _, f := range c.listeners {
		f()
	}
}

// notifyStates sends a notification when a connection newly needs the user.
func (c *controller) notifyStates(conns []bridge.ConnectionStatus) {
	seen := map[string]string{}
	for _, cs := range conns {
		seen[cs.Name] = cs.State
		prev, known := c.states[cs.Name]
		if cs.State == bridge.StateNeedsAuth && known && prev != cs.State {
			c.notify(fmt.Sprintf("%s needs you to sign in again", cs.Name),
				"Open Patchbay and click Reconnect; until then your AI clients cannot use it.")
		}
	}
	c.states = seen
}

func (c *controller) notify(title, content string) {
	if c.app != nil {
		c.app.SendNotification(fyne.NewNotification(title, content))
	}
}

// startBridge starts the bridge (off the UI thread) and refreshes; done, if not nil, gets the
// error on Fyne's goroutine.
func (c *controller) startBridge(done func(error)) {
	if c.starting {
		return
	}
	c.starting = true
	c.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err := c.be.Start(ctx)
		c.ui(func() {
			c.starting = false
			if done != nil {
				done(err)
			}
		})
		c.refresh()
	})
}

// do runs op off the UI thread with a bounded context, then done on Fyne's goroutine with
// its error, then refreshes.
func (c *controller) do(op func(ctx context.Context) error, done func(error)) {
	c.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := op(ctx)
		c.ui(func() {
			if done != nil {
				done(err)
			}
		})
		c.refresh()
	})
}

// run follows the bridge until ctx ends: the event stream, a periodic refresh, and the 100 ms
// log flush. It starts the bridge first if none runs. It returns at once; the work runs in
// goroutines.
func (c *controller) run(ctx context.Context, autostart bool) {
	if autostart {
		c.startBridge(nil)
	} else {
		c.refresh()
	}
	go c.follow(ctx)
	go func() {
		flush := time.NewTicker(100 * time.Millisecond)
		poll := time.NewTicker(5 * time.Second)
		defer flush.Stop()
		defer poll.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-flush.C:
				c.flush()
			case <-poll.C:
				c.refresh()
			}
		}
	}()
}

// follow reads the event stream, reconnecting with a pause when the bridge goes away.
func (c *controller) follow(ctx context.Context) {
	var since uint64
	for ctx.Err() == nil {
		q := bridge.EventsQuery{Since: since, Follow: true}
		if since == 0 {
			q.Tail = 1000
		}
		err := c.be.Events(ctx, q, func(e events.Event) error {
			since = e.ID
			c.receive(e)
			return nil
		})
		if ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
		// A new bridge numbers its events afresh: start over when it is behind us.
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, serr := c.be.Status(sctx)
		cancel()
		if errors.Is(err, bridge.ErrNotRunning) || (serr == nil && st.Bridge.LastEventID < since) {
			since = 0
		}
	}
}

// receive takes one event from the stream (any goroutine): it queues it for the log and
// reacts to state and client changes.
func (c *controller) receive(e events.Event) {
	c.pendingMu.Lock()
	c.pending = append(c.pending, e)
	c.pendingMu.Unlock()
	switch e.Kind {
	case events.KindState:
		c.stale.Store(true)
	case events.KindClient:
		if e.Message == bridge.ClientEventDrifted {
			c.ui(func() {
				c.notify(fmt.Sprintf("%s's config was changed", e.Client),
					"Patchbay's entries in it were removed or edited. Open Patchbay → Clients and click Repair.")
			})
		}
		c.stale.Store(true)
	}
}

// flush moves the queued events into the log and tells the log view, once per batch; if a
// state or client event came in, it refreshes the status.
func (c *controller) flush() {
	if c.stale.Swap(false) {
		c.refresh()
	}
	c.pendingMu.Lock()
	batch := c.pending
	c.pending = nil
	c.pendingMu.Unlock()
	if len(batch) == 0 {
		return
	}
	c.log.Append(batch)
	c.ui(func() {
		for _, f := range c.logListeners {
			f()
		}
	})
}
