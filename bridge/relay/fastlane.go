package relay

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors/stdio"
)

// The fast lane relays plain tools/call requests as raw lines, without go-sdk on either
// side: the client's line is intercepted by its stdio.Conn before decoding, sent upstream
// with a lane id of its own, and the upstream's response is intercepted the same way and
// written back to the client with the client's id. The result passes verbatim, which is
// valid for the client only because both sessions speak the same protocol version.
//
// A call takes the lane only if it is a single tools/call request with an id, no progress
// token and no protocol-level _meta (io.modelcontextprotocol/...), for an enabled tool,
// while the upstream is up and is a raw-line connection (stdio children; remote HTTP
// upstreams are not) that negotiated the client's protocol version. Anything else goes
// through go-sdk as before (forward.go), which also answers disabled tools.
//
// Lane ids are strings ("pb-fl<session>-<n>"), so they never collide with go-sdk's integer
// ids on the same upstream connection. When an upstream ends, each lane call sent to it is
// answered with the same error the go-sdk path gives; a client's notifications/cancelled
// for a lane call is forwarded upstream with the lane id, and the call is forgotten (a late
// response is dropped: a cancelled request gets no response).
//
// The Conns hand every intercepted or raw-written line of the client's connection to the
// event tap, which decodes it off the call path, so events are the same as go-sdk's.

// rawLineConn is what the lane needs of an upstream connection; *stdio.Conn has it. A
// connection that rewrites messages on their way must not have these methods (the lane
// would bypass it).
type rawLineConn interface {
	SetIntercept(f func(line []byte) bool)
	WriteLine(raw []byte) error
}

var laneSessions atomic.Uint64 // numbers sessions for their lane ids

// lane is one session's fast lane. Its methods are safe for concurrent use.
type lane struct {
	s      *Session
	prefix string       // starts every lane id of this session: "pb-fl<n>-"
	quoted []byte       // `"` + prefix: the cheap prefilter for upstream lines
	down   *stdio.Conn  // the client's connection; set by serve before it is read
	taken  atomic.Int64 // calls that took the lane, for tests
	armed  atomic.Bool  // up != nil and its version is the client's: a hint that skips parsing

	mu            sync.Mutex // guards the fields below
	up            *laneUp    // the live upstream if the lane may use it, else nil
	clientVersion string     // the protocol version negotiated with the client
	pending       map[string]laneCall
	next          uint64 // last lane id number used
	closed        bool
}

// laneUp is one upstream session as the lane sees it.
type laneUp struct {
	cs      *mcp.ClientSession
	conn    rawLineConn
	version string
}

// laneCall is a lane call awaiting its response.
type laneCall struct {
	clientID json.RawMessage // the client's id, as it sent it
	up       *laneUp         // the upstream it was sent to
}

func newLane(s *Session) *lane {
	n := laneSessions.Add(1)
	prefix := "pb-fl" + strconv.FormatUint(n, 10) + "-"
	return &lane{s: s, prefix: prefix, quoted: []byte(`"` + prefix), pending: map[string]laneCall{}}
}

// setClientVersion records the protocol version negotiated with the client.
func (l *lane) setClientVersion(v string) {
	l.mu.Lock()
	l.clientVersion = v
	l.rearm()
	l.mu.Unlock()
}

// rearm updates armed after up or clientVersion changed; l.mu must be held.
func (l *lane) rearm() { l.armed.Store(l.up != nil && l.up.version == l.clientVersion) }

// attach makes cs (over conn, nil if it has no raw lines) the lane's upstream. It must be
// called before cs is watched, so that detach comes after it.
func (l *lane) attach(cs *mcp.ClientSession, conn rawLineConn) {
	var up *laneUp
	if conn != nil {
		up = &laneUp{cs: cs, conn: conn}
		if ir := cs.InitializeResult(); ir != nil {
			up.version = ir.ProtocolVersion
		}
		conn.SetIntercept(l.fromUpstream)
	}
	l.mu.Lock()
	if !l.closed {
		l.up = up
		l.rearm()
	}
	l.mu.Unlock()
}

// detach stops using cs and answers every lane call sent to it with the error the go-sdk
// path gives for a call in flight when its upstream ended (err: why it ended).
func (l *lane) detach(cs *mcp.ClientSession, err error) {
	var ids []json.RawMessage
	l.mu.Lock()
	if l.up != nil && l.up.cs == cs {
		l.up = nil
		l.rearm()
	}
	for id, c := range l.pending {
		if c.up.cs == cs {
			ids = append(ids, c.clientID)
			delete(l.pending, id)
		}
	}
	l.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	e := l.s.upstreamError(err)
	var werr *jsonrpc.Error
	if !errors.As(e, &werr) {
		werr = &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: e.Error()}
	}
	for _, id := range ids {
		_ = l.down.WriteLine(laneError(id, werr))
	}
}

// shutdown ends the lane with its session: pending calls are dropped (the client is
// leaving, or the session is closing), later lines take the go-sdk path.
func (l *lane) shutdown() {
	l.mu.Lock()
	l.closed = true
	l.up = nil
	l.rearm()
	clear(l.pending)
	l.mu.Unlock()
}

// fromClient is the client connection's Intercept func.
func (l *lane) fromClient(line []byte) bool {
	if len(line) == 0 || line[0] != '{' { // batches and junk: go-sdk's
		return false
	}
	if bytes.Contains(line, []byte(`"tools/call"`)) {
		return l.armed.Load() && l.call(line)
	}
	if bytes.Contains(line, []byte(`"notifications/cancelled"`)) {
		return l.cancel(line)
	}
	return false
}

// call sends a tools/call upstream on the lane, if it may take it.
func (l *lane) call(line []byte) bool {
	var m struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Method  string          `json:"method"`
		Params  json.RawMessage `json:"params"`
	}
	if json.Unmarshal(line, &m) != nil || m.JSONRPC != "2.0" || m.Method != "tools/call" || !plainID(m.ID) || len(m.Params) == 0 || m.Params[0] != '{' {
		return false
	}
	var p struct {
		Name string                     `json:"name"`
		Meta map[string]json.RawMessage `json:"_meta"`
	}
	if json.Unmarshal(m.Params, &p) != nil || p.Name == "" || !l.s.enabled(p.Name) {
		return false
	}
	for k := range p.Meta {
		if k == progressTokenKey || strings.HasPrefix(k, "io.modelcontextprotocol/") {
			return false
		}
	}
	l.mu.Lock()
	up := l.up
	if up == nil || up.version != l.clientVersion {
		l.mu.Unlock()
		return false
	}
	l.next++
	id := l.prefix + strconv.FormatUint(l.next, 10)
	l.pending[id] = laneCall{clientID: m.ID, up: up}
	l.mu.Unlock()
	l.taken.Add(1) // before the response can come back

	out := make([]byte, 0, len(m.Params)+len(id)+64)
	out = append(out, `{"jsonrpc":"2.0","id":"`...)
	out = append(out, id...)
	out = append(out, `","method":"tools/call","params":`...)
	out = append(out, m.Params...)
	out = append(out, '}')
	if err := up.conn.WriteLine(out); err != nil {
		// It never reached the server. Unless detach answered it meanwhile, the go-sdk
		// path takes it (and waits for the restarted upstream).
		l.mu.Lock()
		_, still := l.pending[id]
		delete(l.pending, id)
		l.mu.Unlock()
		if still {
			l.taken.Add(-1)
		}
		return !still
	}
	return true
}

// cancel forwards a client's notifications/cancelled for a lane call upstream, with the
// lane id, and forgets the call. Cancellations of other requests are go-sdk's.
func (l *lane) cancel(line []byte) bool {
	var m struct {
		Method string `json:"method"`
		Params struct {
			RequestID json.RawMessage `json:"requestId"`
			Reason    json.RawMessage `json:"reason"`
		} `json:"params"`
	}
	if json.Unmarshal(line, &m) != nil || m.Method != "notifications/cancelled" || !plainID(m.Params.RequestID) {
		return false
	}
	key := idKey(m.Params.RequestID)
	var id string
	var c laneCall
	l.mu.Lock()
	for lid, pc := range l.pending {
		if idKey(pc.clientID) == key {
			id, c = lid, pc
			delete(l.pending, lid)
			break
		}
	}
	l.mu.Unlock()
	if id == "" {
		return false
	}
	out := make([]byte, 0, 128)
	out = append(out, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"`...)
	out = append(out, id...)
	out = append(out, '"')
	if len(m.Params.Reason) > 0 {
		out = append(out, `,"reason":`...)
		out = append(out, m.Params.Reason...)
	}
	out = append(out, "}}"...)
	_ = c.up.conn.WriteLine(out) // if the upstream is gone, so is the call
	return true
}

// fromUpstream is the upstream connection's Intercept func: it answers the client for
// responses to lane calls and leaves every other line to go-sdk.
func (l *lane) fromUpstream(line []byte) bool {
	if !bytes.Contains(line, l.quoted) {
		return false
	}
	var m struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	var id string
	if json.Unmarshal(line, &m) != nil || m.Method != "" || json.Unmarshal(m.ID, &id) != nil || !strings.HasPrefix(id, l.prefix) {
		return false
	}
	l.mu.Lock()
	c, ok := l.pending[id]
	delete(l.pending, id)
	l.mu.Unlock()
	if !ok {
		return true // cancelled, or already answered with an error: drop it
	}
	var out []byte
	switch {
	case len(m.Error) > 0 && !bytes.Equal(m.Error, []byte("null")):
		out = laneResponse(c.clientID, "error", m.Error)
	case len(m.Result) > 0 && m.Result[0] == '{':
		out = laneResponse(c.clientID, "result", cleanResult(m.Result))
	default:
		out = laneError(c.clientID, &jsonrpc.Error{Code: jsonrpc.CodeInternalError,
			Message: "connection " + strconv.Quote(l.s.opts.Connection) + " sent a response with neither result nor error"})
	}
	_ = l.down.WriteLine(out) // fails only if the client is gone
	return true
}

// laneResponse builds a response line for the client: {"jsonrpc":"2.0","id":id,key:raw}.
func laneResponse(id json.RawMessage, key string, raw []byte) []byte {
	out := make([]byte, 0, len(id)+len(raw)+len(key)+32)
	out = append(out, `{"jsonrpc":"2.0","id":`...)
	out = append(out, id...)
	out = append(out, `,"`...)
	out = append(out, key...)
	out = append(out, `":`...)
	out = append(out, raw...)
	return append(out, '}')
}

func laneError(id json.RawMessage, e *jsonrpc.Error) []byte {
	raw, _ := json.Marshal(struct {
		Code    int64  `json:"code"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	return laneResponse(id, "error", raw)
}

// cleanResult drops what describes the upstream session rather than the result, as the
// go-sdk path does by rebuilding results (go-sdk.md §5.6): "resultType" and _meta keys
// "io.modelcontextprotocol/...". Results without them (the usual case) pass as they are.
func cleanResult(raw json.RawMessage) json.RawMessage {
	if !bytes.Contains(raw, []byte(`"io.modelcontextprotocol/`)) && !bytes.Contains(raw, []byte(`"resultType"`)) {
		return raw
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw
	}
	delete(m, "resultType")
	if meta, ok := m["_meta"]; ok {
		var mm map[string]json.RawMessage
		if json.Unmarshal(meta, &mm) == nil {
			for k := range mm {
				if strings.HasPrefix(k, "io.modelcontextprotocol/") {
					delete(mm, k)
				}
			}
			if len(mm) == 0 {
				delete(m, "_meta")
			} else if b, err := json.Marshal(mm); err == nil {
				m["_meta"] = b
			}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return b
}

// plainID reports whether raw is a JSON-RPC request id: a string or a number.
func plainID(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '"' || raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

// idKey is a comparable form of a JSON id: a string by its value (so "a" and "\u0061"
// match), a number by its text; the string "7" and the number 7 differ.
func idKey(raw json.RawMessage) string {
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return "s" + s
		}
	}
	return "n" + string(raw)
}
