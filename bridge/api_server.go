package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/bridge/relay"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// UpgradeProtocol is the Upgrade token of the shim's MCP stream: after 101 Switching
// Protocols, the connection carries newline-delimited JSON-RPC both ways.
const UpgradeProtocol = "patchbay-mcp"

// routes is the local API: one flat table. Every request that carries an Origin header is
// refused (a browser page must never drive the bridge, even if it found the socket through
// some local proxy).
func (b *Bridge) routes() http.Handler {
	mux := http.NewServeMux()
	for pattern, h := range map[string]http.HandlerFunc{
		"GET /v1/status":                               b.handleStatus,
		"GET /v1/connections":                          b.handleConnections,
		"POST /v1/connections":                         b.handleAdd,
		"DELETE /v1/connections/{name}":                b.handleRemove,
		"PUT /v1/connections/{name}/secrets/{item...}": b.handleSecret,
		"GET /v1/connections/{name}/tools":             b.handleTools,
		"PUT /v1/connections/{name}/tools/{tool}":      b.handleToolEnable,
		"POST /v1/connections/{name}/call":             b.handleCall,
		"POST /v1/connections/{name}/mcp":              b.handleMCP,
		"GET /v1/events":                               b.handleEvents,
		"POST /v1/shutdown":                            b.handleShutdown,
		"POST /v1/connections/{name}/authorize":        b.handleAuthorize,
		"POST /v1/connections/{name}/logout":           b.handleLogout,
		"GET /v1/clients":                              b.handleClients,
		"POST /v1/clients/{id}":                        b.handleClientChange,
		"PUT /v1/clients/{id}/auto-repair":             b.handleClientAutoRepair,
	} {
		mux.HandleFunc(pattern, h)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") != "" {
			writeErr(w, http.StatusForbidden, CodeForbidden, "requests from a browser are refused")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, apiErrorBody{Error: events.RedactString(msg), Code: code})
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeErr(w, http.StatusBadRequest, CodeBadRequest, "reading request: "+err.Error())
		return false
	}
	return true
}

func (b *Bridge) lookup(w http.ResponseWriter, r *http.Request) (*connRuntime, bool) {
	name := r.PathValue("name")
	rt, ok := b.reg.get(name)
	if !ok {
		writeErr(w, http.StatusNotFound, CodeNotFound, NotFoundMessage(name))
	}
	return rt, ok
}

func (b *Bridge) statusSnapshot() Status {
	st := Status{Bridge: BridgeInfo{PID: os.Getpid(), Version: b.opts.Version, Started: b.started, Socket: b.opts.Socket, LastEventID: b.log.LastID()}, Connections: []ConnectionStatus{}}
	for _, rt := range b.reg.all() {
		b.askNotionDetail(rt)
		st.Connections = append(st.Connections, rt.status())
	}
	return st
}

func (b *Bridge) handleStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, b.statusSnapshot())
}

func (b *Bridge) handleConnections(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, b.statusSnapshot().Connections)
}

func (b *Bridge) handleAdd(w http.ResponseWriter, r *http.Request) {
	var req AddRequest
	if !readJSON(w, r, &req) {
		return
	}
	if err := state.ValidName(req.Name); err != nil {
		writeErr(w, http.StatusBadRequest, CodeBadRequest, err.Error())
		return
	}
	if !req.Replace {
		if st := b.opts.Store.Get(); hasConnection(&st, req.Name) {
			writeErr(w, http.StatusConflict, CodeExists, "a connection named "+strconv.Quote(req.Name)+" exists: remove it first (`patchbay remove "+req.Name+"`) or choose another name")
			return
		}
	}
	detail, ok := b.verifyNotion(w, r, &req)
	if !ok {
		return
	}
	// Secrets first: a connection is never saved pointing at a secret that is not there.
	for item, v := range req.Secrets {
		if item == "" || strings.Contains(item, "..") {
			writeErr(w, http.StatusBadRequest, CodeBadRequest, "invalid secret item "+strconv.Quote(item))
			return
		}
		if err := b.opts.Keychain.Set(r.Context(), keychain.Key(req.Name, item), v); err != nil {
			writeErr(w, http.StatusServiceUnavailable, CodeKeychain, "storing "+item+" in the keychain: "+err.Error())
			return
		}
	}
	c := state.Connection{Name: req.Name, Kind: req.Kind, Settings: req.Settings, Created: time.Now().UTC()}
	err := b.opts.Store.Modify(func(s *state.State) error {
		if old, ok := s.Connection(req.Name); ok {
			if !req.Replace {
				return errExists
			}
			c.Created, c.DisabledTools = old.Created, old.DisabledTools
			*old = c
			return nil
		}
		s.Connections = append(s.Connections, c)
		return nil
	})
	if errors.Is(err, errExists) {
		writeErr(w, http.StatusConflict, CodeExists, "a connection named "+strconv.Quote(req.Name)+" exists")
		return
	}
	if err != nil {
		writeErr(w, http.StatusBadRequest, CodeBadRequest, err.Error())
		return
	}
	b.log.Append(events.Event{Kind: events.KindState, Connection: req.Name, Message: "added"})
	rt, _ := b.reg.get(req.Name)
	if len(req.Secrets) > 0 {
		rt.renew() // same settings, new secrets (a replaced token): the next session uses them
	}
	if detail != "" {
		rt.setDetail(detail)
	}
	writeJSON(w, http.StatusCreated, rt.status())
}

var errExists = errors.New("exists")

func (b *Bridge) handleRemove(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var removed state.Connection
	err := b.opts.Store.Modify(func(s *state.State) error {
		i := slices.IndexFunc(s.Connections, func(c state.Connection) bool { return c.Name == name })
		if i < 0 {
			return errNotFound
		}
		removed = s.Connections[i]
		s.Connections = slices.Delete(s.Connections, i, i+1)
		return nil
	})
	if errors.Is(err, errNotFound) {
		writeErr(w, http.StatusNotFound, CodeNotFound, NotFoundMessage(name))
		return
	}
	if err != nil {
		writeErr(w, http.StatusInternalServerError, CodeInternal, err.Error())
		return
	}
	b.revokeRemote(r.Context(), removed)
	var kcErr error
	for _, item := range secretItems(removed) {
		if err := b.opts.Keychain.Delete(r.Context(), keychain.Key(name, item)); err != nil && !errors.Is(err, keychain.ErrNotFound) {
			kcErr = err
		}
	}
	b.log.Append(events.Event{Kind: events.KindState, Connection: name, Message: "removed"})
	if kcErr != nil {
		writeErr(w, http.StatusServiceUnavailable, CodeKeychain, "removed "+name+", but its secrets could not be deleted from the keychain: "+kcErr.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

var errNotFound = errors.New("not found")

func (b *Bridge) handleSecret(w http.ResponseWriter, r *http.Request) {
	if _, ok := b.lookup(w, r); !ok {
		return
	}
	var req SecretRequest
	if !readJSON(w, r, &req) {
		return
	}
	item := r.PathValue("item")
	if item == "" || strings.Contains(item, "..") {
		writeErr(w, http.StatusBadRequest, CodeBadRequest, "invalid secret item "+strconv.Quote(item))
		return
	}
	if err := b.opts.Keychain.Set(r.Context(), keychain.Key(r.PathValue("name"), item), req.Value); err != nil {
		writeErr(w, http.StatusServiceUnavailable, CodeKeychain, "storing "+item+" in the keychain: "+err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (b *Bridge) handleToolEnable(w http.ResponseWriter, r *http.Request) {
	name, tool := r.PathValue("name"), r.PathValue("tool")
	if _, ok := b.lookup(w, r); !ok {
		return
	}
	var req ToolEnableRequest
	if !readJSON(w, r, &req) {
		return
	}
	err := b.opts.Store.Modify(func(s *state.State) error {
		c, ok := s.Connection(name)
		if !ok {
			return errNotFound
		}
		c.DisabledTools = slices.DeleteFunc(c.DisabledTools, func(t string) bool { return t == tool })
		if !req.Enabled {
			c.DisabledTools = append(c.DisabledTools, tool)
			slices.Sort(c.DisabledTools)
		}
		return nil
	})
	if errors.Is(err, errNotFound) {
		writeErr(w, http.StatusNotFound, CodeNotFound, NotFoundMessage(name))
		return
	}
	if err != nil {
		writeErr(w, http.StatusInternalServerError, CodeInternal, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// protocolVersion is the upstream version a connection's sessions pin.
func protocolVersion(kind string) string {
	if kind == state.KindRemote {
		return "" // let remote servers negotiate
	}
	return relay.UpstreamProtocolVersion
}

// dial opens a standalone upstream session for the API's own calls.
func (b *Bridge) dial(ctx context.Context, w http.ResponseWriter, rt *connRuntime) (*mcp.ClientSession, bool) {
	c, err := rt.getConnector()
	if err != nil {
		writeErr(w, http.StatusBadGateway, CodeUpstream, err.Error())
		return nil, false
	}
	cs, err := relay.Dial(ctx, c, protocolVersion(rt.connection().Kind), 60*time.Second)
	if err != nil {
		rt.setState(rt.status().State, "connecting: "+err.Error())
		writeErr(w, http.StatusBadGateway, CodeUpstream, "connecting to "+rt.name+": "+err.Error())
		return nil, false
	}
	return cs, true
}

func (b *Bridge) handleTools(w http.ResponseWriter, r *http.Request) {
	rt, ok := b.lookup(w, r)
	if !ok {
		return
	}
	cs, ok := b.dial(r.Context(), w, rt)
	if !ok {
		return
	}
	defer cs.Close()
	out := []ToolStatus{}
	for t, err := range cs.Tools(r.Context(), nil) {
		if err != nil {
			writeErr(w, http.StatusBadGateway, CodeUpstream, "listing tools of "+rt.name+": "+err.Error())
			return
		}
		schema, _ := json.Marshal(t.InputSchema)
		out = append(out, ToolStatus{Name: t.Name, Title: t.Title, Description: t.Description, InputSchema: schema, Enabled: rt.toolEnabled(t.Name)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (b *Bridge) handleCall(w http.ResponseWriter, r *http.Request) {
	rt, ok := b.lookup(w, r)
	if !ok {
		return
	}
	var req CallRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Tool == "" {
		writeErr(w, http.StatusBadRequest, CodeBadRequest, "no tool named in the call")
		return
	}
	if len(req.Arguments) == 0 {
		req.Arguments = json.RawMessage("{}")
	}
	if !rt.toolEnabled(req.Tool) {
		writeErr(w, http.StatusForbidden, CodeForbidden, "tool "+strconv.Quote(req.Tool)+" is disabled on "+rt.name+": enable it with `patchbay enable-tool "+rt.name+" "+req.Tool+"`")
		return
	}
	timeout := 60 * time.Second
	if req.TimeoutMillis > 0 {
		timeout = time.Duration(req.TimeoutMillis) * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	cs, ok := b.dial(ctx, w, rt)
	if !ok {
		return
	}
	defer cs.Close()
	start := time.Now()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: req.Tool, Arguments: req.Arguments})
	lat := time.Since(start)
	ev := events.Event{Kind: events.KindMessage, Connection: rt.name, Client: "patchbay-cli", Direction: events.FromUpstream, Method: "tools/call", Tool: req.Tool, LatencyMicros: lat.Microseconds()}
	if err != nil {
		ev.Error = events.RedactString(err.Error())
		b.reg.sink.Append(ev)
		writeErr(w, http.StatusBadGateway, CodeUpstream, "calling "+req.Tool+" on "+rt.name+": "+err.Error())
		return
	}
	body, _ := json.Marshal(&mcp.CallToolResult{Content: res.Content, StructuredContent: res.StructuredContent, IsError: res.IsError})
	ev.Size = len(body)
	ev.Body, ev.Truncated = events.Body(body, 0)
	b.reg.sink.Append(ev)
	writeJSON(w, http.StatusOK, CallResult{Result: body, IsError: res.IsError, LatencyMicros: lat.Microseconds()})
}

func (b *Bridge) handleShutdown(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusAccepted)
	b.requestShutdown()
}

func (b *Bridge) handleEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, _ := strconv.ParseUint(q.Get("since"), 10, 64)
	tail, _ := strconv.Atoi(q.Get("tail"))
	follow := q.Get("follow") == "1" || q.Get("follow") == "true"
	f := events.Filter{Connection: q.Get("connection"), Method: q.Get("method"), Kind: q.Get("kind")}
	evs, missed := b.log.Since(since)
	// Follow on from the newest event seen, matching or not. With none seen: from since,
	// unless since came from an earlier bridge run (larger than any id), then from the start.
	last := since
	if len(evs) > 0 {
		last = evs[len(evs)-1].ID
	} else if since > b.log.LastID() {
		last = 0
	}
	evs = slices.DeleteFunc(evs, func(e events.Event) bool { return !f.Match(e) })
	if tail > 0 && len(evs) > tail {
		evs = evs[len(evs)-tail:]
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("X-Patchbay-Missed", strconv.FormatUint(missed, 10))
	w.Header().Set("X-Patchbay-Last-Id", strconv.FormatUint(b.log.LastID(), 10))
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	for _, e := range evs {
		if enc.Encode(e) != nil {
			return
		}
	}
	if !follow {
		return
	}
	rc := http.NewResponseController(w)
	rc.Flush()
	ctx := r.Context()
	for {
		evs, _, err := b.log.Wait(ctx, last)
		if err != nil {
			return
		}
		last = evs[len(evs)-1].ID
		for _, e := range evs {
			if f.Match(e) && enc.Encode(e) != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// handleMCP upgrades the request to a raw MCP stream and relays it to a fresh upstream
// session until either side leaves.
func (b *Bridge) handleMCP(w http.ResponseWriter, r *http.Request) {
	rt, ok := b.lookup(w, r)
	if !ok {
		return
	}
	if !strings.EqualFold(r.Header.Get("Upgrade"), UpgradeProtocol) {
		writeErr(w, http.StatusBadRequest, CodeBadRequest, "expected Upgrade: "+UpgradeProtocol)
		return
	}
	c, err := rt.getConnector()
	if err != nil {
		writeErr(w, http.StatusBadGateway, CodeUpstream, err.Error())
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		writeErr(w, http.StatusInternalServerError, CodeInternal, "hijacking: "+err.Error())
		return
	}
	conn.SetDeadline(time.Time{})
	uconn, isUnix := conn.(*net.UnixConn)
	handover := handoverSupported && isUnix && r.Header.Get(HandoverHeader) == handoverFDs && brw.Reader.Buffered() == 0
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + UpgradeProtocol + "\r\n")
	if handover {
		brw.WriteString(HandoverHeader + ": " + handoverFDs + "\r\n")
	}
	brw.WriteString("\r\n")
	if err := brw.Flush(); err != nil {
		conn.Close()
		return
	}
	var stream io.ReadWriteCloser = readWriteCloser{Reader: brw.Reader, Writer: conn, close: conn.Close}
	if handover {
		in, out, notes, err := recvFDs(uconn, 10*time.Second)
		if err != nil {
			// The shim relays itself once it sees the stream end.
			b.logger.Printf("session of %s: %v", rt.name, err)
			conn.Close()
			return
		}
		stream = newHandedStream(in, out, notes, conn)
	}
	b.wg.Add(1)
	defer b.wg.Done()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &sessionRec{}
	sink := &sessionSink{next: b.reg.sink, conn: rt.name, rec: rec}
	sess := relay.NewSession(relay.Options{
		Connection:      rt.name,
		Connector:       c,
		ProtocolVersion: protocolVersion(rt.connection().Kind),
		Events:          sink,
		ToolEnabled:     rt.toolEnabled,
		Observer: relay.Observer{
			ClientInitialized: func(client string) { rec.client.Store(client) },
			UpstreamReady:     func() { rt.setState(StateReady, "") },
			UpstreamLost:      rt.upstreamLost,
		},
	})
	rec = rt.addSessionRec(rec, sess.RefreshTools, func() { cancel(); stream.Close() })
	sink.id = rec.id
	if hs, ok := stream.(*handedStream); ok {
		rec.direct.Store(true)
		// The shim never writes once it has handed over: its hang-up (it exited, or was
		// killed) ends the session, which lets go of the client's pipes.
		go func() {
			_, _ = io.Copy(io.Discard, conn)
			cancel()
			hs.Close()
		}()
	}
	defer func() {
		// A panic in a session must not leave it listed forever (or take the bridge down:
		// net/http recovers handler panics, so keep the record straight here).
		if p := recover(); p != nil {
			b.logger.Printf("session %s of %s: panic: %v", rec.id, rt.name, p)
			err = fmt.Errorf("internal error in the relay: %v", p)
		}
		stream.Close()
		if isNormalEnd(err) {
			err = nil
		}
		rt.endSession(rec, err)
	}()
	err = sess.Serve(ctx, stream)
}

func isNormalEnd(err error) bool {
	return err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, mcp.ErrConnectionClosed)
}

// sessionSink stamps a session's events with its connection, id and client name.
type sessionSink struct {
	next events.Sink
	conn string
	id   string
	rec  *sessionRec
}

func (s *sessionSink) Append(e events.Event) {
	if e.Connection == "" {
		e.Connection = s.conn
	}
	if e.Session == "" {
		e.Session = s.id
	}
	if e.Client == "" {
		e.Client, _ = s.rec.client.Load().(string)
	}
	s.next.Append(e)
}

func hasConnection(s *state.State, name string) bool {
	_, ok := s.Connection(name)
	return ok
}
