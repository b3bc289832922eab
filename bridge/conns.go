package bridge

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// registry is the bridge's live view of its connections: the saved settings (mirrored from
// the state Store), the connector built from them, the sessions attached and the status.
// Safe for concurrent use.
type registry struct {
	sink     events.Sink
	keychain keychain.Store
	factory  ConnectorFactory

	mu  sync.Mutex // guards rts
	rts map[string]*connRuntime

	nextSession atomic.Uint64
}

// connRuntime is one connection's live part.
type connRuntime struct {
	reg  *registry
	name string

	mu           sync.Mutex // guards every field below
	conn         state.Connection
	connector    connectors.Connector // built on first use; nil until then or after a settings change
	state        string
	since        time.Time
	restarts     int
	lastErr      string
	lastErrTime  time.Time
	lastActivity time.Time
	sessions     map[string]*sessionRec
	removed      bool
	detail       string // ConnectionStatus.Detail, set when known (a Notion token's identity)
	detailAsked  bool   // a background look-up of detail has started
}

// sessionRec is one AI-client session attached to a connection.
type sessionRec struct {
	id      string
	started time.Time
	client  atomic.Value // string, from the client's initialize
	direct  atomic.Bool  // the shim handed over the client's stdio
	refresh func()       // tells the relay to re-read enabled tools
	end     func()       // ends the session (closes the client's stream)
}

func newRegistry(sink events.Sink, kc keychain.Store, factory ConnectorFactory) *registry {
	return &registry{sink: sink, keychain: kc, factory: factory, rts: map[string]*connRuntime{}}
}

// sync makes the registry match st: new connections appear stopped, removed ones end their
// sessions and close their connectors, changed settings rebuild the connector for the next
// session, and sessions re-read the enabled tools.
func (r *registry) sync(st state.State) {
	r.mu.Lock()
	seen := map[string]bool{}
	var refresh []*connRuntime
	var gone []*connRuntime
	for _, c := range st.Connections {
		seen[c.Name] = true
		rt, ok := r.rts[c.Name]
		if !ok {
			rt = &connRuntime{reg: r, name: c.Name, conn: c, state: StateStopped, since: time.Now(), sessions: map[string]*sessionRec{}}
			r.rts[c.Name] = rt
			continue
		}
		refresh = append(refresh, rt)
		rt.update(c)
	}
	for name, rt := range r.rts {
		if !seen[name] {
			delete(r.rts, name)
			gone = append(gone, rt)
		}
	}
	r.mu.Unlock()
	for _, rt := range refresh {
		rt.refreshSessions()
	}
	for _, rt := range gone {
		rt.remove()
	}
}

func (r *registry) get(name string) (*connRuntime, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rt, ok := r.rts[name]
	return rt, ok
}

func (r *registry) all() []*connRuntime {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*connRuntime, 0, len(r.rts))
	for _, rt := range r.rts {
		out = append(out, rt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// closeAll ends every session and closes every connector (bridge shutdown).
func (r *registry) closeAll() {
	r.mu.Lock()
	rts := r.rts
	r.rts = map[string]*connRuntime{}
	r.mu.Unlock()
	for _, rt := range rts {
		rt.remove()
	}
}

// touch records activity on a connection (called for every message event).
func (r *registry) touch(name string, t time.Time) {
	if rt, ok := r.get(name); ok {
		rt.mu.Lock()
		rt.lastActivity = t
		rt.mu.Unlock()
	}
}

func (rt *connRuntime) update(c state.Connection) {
	rt.mu.Lock()
	var old connectors.Connector
	if c.Kind != rt.conn.Kind || string(c.Settings) != string(rt.conn.Settings) {
		// Sessions already attached keep their transports; the next one uses new settings.
		old, rt.connector = rt.connector, nil
	}
	rt.conn = c
	rt.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

// renew drops the connector, so that the next session builds a new one and reads its
// secrets afresh (a warm spare child, or a header value read once, holds the old ones).
// Sessions already attached keep their transports.
func (rt *connRuntime) renew() {
	rt.mu.Lock()
	old := rt.connector
	rt.connector = nil
	rt.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

func (rt *connRuntime) refreshSessions() {
	rt.mu.Lock()
	var fns []func()
	for _, s := range rt.sessions {
		if s.refresh != nil {
			fns = append(fns, s.refresh)
		}
	}
	rt.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

func (rt *connRuntime) remove() {
	rt.mu.Lock()
	rt.removed = true
	c := rt.connector
	rt.connector = nil
	var ends []func()
	for _, s := range rt.sessions {
		ends = append(ends, s.end)
	}
	rt.mu.Unlock()
	for _, end := range ends {
		if end != nil {
			end()
		}
	}
	if c != nil {
		c.Close()
	}
}

// connection returns the saved settings.
func (rt *connRuntime) connection() state.Connection {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.conn
}

// toolEnabled reads the current disabled list (consulted by the relay on every list/call).
func (rt *connRuntime) toolEnabled(tool string) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return !slices.Contains(rt.conn.DisabledTools, tool)
}

// getConnector returns the connection's connector, building it on first use.
func (rt *connRuntime) getConnector() (connectors.Connector, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.removed {
		return nil, fmt.Errorf("connection %q was removed", rt.name)
	}
	if rt.connector != nil {
		return rt.connector, nil
	}
	c, err := rt.reg.factory(rt.conn, rt.reg.keychain, rt.hooks())
	if err != nil {
		rt.setErrorLocked(err.Error())
		return nil, err
	}
	rt.connector = c
	return c, nil
}

func (rt *connRuntime) hooks() connectors.Hooks {
	return connectors.Hooks{
		Log: func(level, msg string) {
			msg = events.RedactString(msg)
			rt.reg.sink.Append(events.Event{Kind: events.KindLog, Connection: rt.name, Level: level, Message: msg})
			if level == "error" {
				rt.mu.Lock()
				rt.lastErr, rt.lastErrTime = msg, time.Now()
				rt.mu.Unlock()
			}
		},
		NeedsAuth: func(reason string) {
			rt.setState(StateNeedsAuth, events.RedactString(reason))
		},
		Authorized: func() {
			rt.mu.Lock()
			st, n := rt.state, len(rt.sessions)
			rt.mu.Unlock()
			if st != StateNeedsAuth {
				return
			}
			// Sessions attached now reconnect on their own; until one reports ready the
			// connection is starting (or stopped with none).
			if n > 0 {
				rt.setState(StateStarting, "")
			} else {
				rt.setState(StateStopped, "")
			}
		},
	}
}

// setState moves the connection to state s (recording errMsg as the last error when set) and
// emits a state event when it changed.
func (rt *connRuntime) setState(s, errMsg string) {
	rt.mu.Lock()
	changed := rt.state != s
	if changed {
		rt.state, rt.since = s, time.Now()
	}
	if errMsg != "" {
		rt.lastErr, rt.lastErrTime = errMsg, time.Now()
	}
	rt.mu.Unlock()
	if changed || errMsg != "" {
		rt.reg.sink.Append(events.Event{Kind: events.KindState, Connection: rt.name, Message: s, Error: errMsg})
	}
}

func (rt *connRuntime) setErrorLocked(msg string) {
	msg = events.RedactString(msg)
	rt.state, rt.since = StateError, time.Now()
	rt.lastErr, rt.lastErrTime = msg, time.Now()
	go rt.reg.sink.Append(events.Event{Kind: events.KindState, Connection: rt.name, Message: StateError, Error: msg})
}

// addSessionRec registers s (filling its id, start time, refresh and end funcs) and returns
// it; the connection becomes "starting" unless it is ready.
func (rt *connRuntime) addSessionRec(s *sessionRec, refresh, end func()) *sessionRec {
	s.id = "s" + strconv.FormatUint(rt.reg.nextSession.Add(1), 10)
	s.started, s.refresh, s.end = time.Now(), refresh, end
	if s.client.Load() == nil {
		s.client.Store("")
	}
	rt.mu.Lock()
	rt.sessions[s.id] = s
	st := rt.state
	rt.mu.Unlock()
	if st != StateReady && st != StateNeedsAuth {
		rt.setState(StateStarting, "")
	}
	return s
}

// endSession unregisters s. err is why the session ended (nil: the client left). With no
// session left the connection is stopped, unless it ended in error, which stays visible.
func (rt *connRuntime) endSession(s *sessionRec, err error) {
	rt.mu.Lock()
	delete(rt.sessions, s.id)
	left := len(rt.sessions)
	st := rt.state
	rt.mu.Unlock()
	switch {
	case err != nil:
		rt.setState(StateError, events.RedactString(err.Error()))
	case left == 0 && st != StateError && st != StateNeedsAuth:
		rt.setState(StateStopped, "")
	}
}

func (rt *connRuntime) upstreamLost(err error) {
	rt.mu.Lock()
	rt.restarts++
	rt.mu.Unlock()
	msg := "upstream session lost"
	if err != nil {
		msg = "upstream session lost: " + err.Error()
	}
	rt.setState(StateStarting, events.RedactString(msg))
}

func (rt *connRuntime) status() ConnectionStatus {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	st := ConnectionStatus{
		Name: rt.name, Kind: rt.conn.Kind, State: rt.state, Since: rt.since, Restarts: rt.restarts,
		LastError: rt.lastErr, LastErrorTime: rt.lastErrTime, LastActivity: rt.lastActivity,
		DisabledTools: slices.Clone(rt.conn.DisabledTools), Summary: events.RedactString(summarize(rt.conn)), Created: rt.conn.Created,
		Sessions: []SessionStatus{}, Detail: rt.detail,
	}
	for _, s := range rt.sessions {
		st.Sessions = append(st.Sessions, SessionStatus{ID: s.id, Client: s.client.Load().(string), Started: s.started, Direct: s.direct.Load()})
	}
	sort.Slice(st.Sessions, func(i, j int) bool { return st.Sessions[i].Started.Before(st.Sessions[j].Started) })
	return st
}

// setDetail records what ConnectionStatus.Detail shows for the connection.
func (rt *connRuntime) setDetail(d string) {
	rt.mu.Lock()
	rt.detail = d
	rt.mu.Unlock()
}
