package relay

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors/stdio"
)

// tap turns the messages passing the client's connection into events. The call path only
// stamps the time and queues the message; a per-session goroutine correlates responses
// with requests (method, tool, latency), redacts the body and appends the event, in order.
// If the queue is full the event is dropped (and counted) rather than slowing the call.
type tap struct {
	sink   events.Sink
	conn   string
	client atomic.Pointer[string]

	queue   chan tapItem
	quit    chan struct{}
	stopped chan struct{}
	dropped atomic.Int64

	stopOnce sync.Once
}

type tapItem struct {
	t   time.Time
	dir stdio.Direction
	msg jsonrpc.Message
	raw []byte
}

// pendingKey identifies a request awaiting its response: who sent it, and its id.
type pendingKey struct {
	fromClient bool
	id         any
}

type pendingReq struct {
	start  time.Time
	method string
	tool   string
}

// maxPending bounds the requests remembered for correlation (one whose response never
// passes, e.g. a cancelled call, would otherwise stay forever).
const maxPending = 10000

func newTap(sink events.Sink, conn string) *tap {
	t := &tap{
		sink:    sink,
		conn:    conn,
		queue:   make(chan tapItem, 4096),
		quit:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go t.run()
	return t
}

func (t *tap) setClient(name string) { t.client.Store(&name) }

// observe is the Conn's Tap: cheap, never blocks.
func (t *tap) observe(dir stdio.Direction, msg jsonrpc.Message, raw []byte) {
	select {
	case t.queue <- tapItem{t: time.Now(), dir: dir, msg: msg, raw: raw}:
	default:
		t.dropped.Add(1)
	}
}

// stop drains the queue and ends the goroutine. Messages observed afterwards are dropped.
func (t *tap) stop() {
	t.stopOnce.Do(func() { close(t.quit) })
	<-t.stopped
}

// tapBatch is how long the tap goroutine lets messages collect after handling some. While
// it is blocked on the queue, each observe must wake it (a futex call on the call path);
// while it sleeps, observe only queues. Idle, it blocks: no timer runs.
const tapBatch = 5 * time.Millisecond

func (t *tap) run() {
	defer close(t.stopped)
	pending := map[pendingKey]pendingReq{}
	pause := time.NewTimer(tapBatch)
	defer pause.Stop()
	for {
		select {
		case it := <-t.queue:
			t.record(pending, it)
			t.drain(pending)
		case <-t.quit:
			t.drain(pending)
			return
		}
		pause.Reset(tapBatch)
		select {
		case <-pause.C:
		case <-t.quit:
			t.drain(pending)
			return
		}
	}
}

// drain records everything queued, then reports drops.
func (t *tap) drain(pending map[pendingKey]pendingReq) {
	for {
		select {
		case it := <-t.queue:
			t.record(pending, it)
		default:
			t.reportDropped()
			return
		}
	}
}

func (t *tap) reportDropped() {
	if n := t.dropped.Swap(0); n > 0 {
		t.sink.Append(events.Event{Kind: events.KindLog, Connection: t.conn, Level: "warn",
			Message: "event log fell behind: " + strconv.FormatInt(n, 10) + " messages not recorded"})
	}
}

func (t *tap) record(pending map[pendingKey]pendingReq, it tapItem) {
	if it.msg == nil { // a raw line (fast lane, or any line from the client): decode it here, off the call path
		var err error
		if it.msg, err = jsonrpc.DecodeMessage(it.raw); err != nil {
			return // not a message: the Conn reports it as bad input
		}
	}
	fromClient := it.dir == stdio.Inbound
	e := events.Event{
		Time:       it.t,
		Kind:       events.KindMessage,
		Connection: t.conn,
		Direction:  events.FromUpstream,
		Size:       len(it.raw),
	}
	if fromClient {
		e.Direction = events.FromClient
	}
	if c := t.client.Load(); c != nil {
		e.Client = *c
	}
	switch m := it.msg.(type) {
	case *jsonrpc.Request:
		e.Method = m.Method
		if m.Method == "tools/call" {
			e.Tool = toolName(m.Params)
		}
		if m.IsCall() {
			e.RPCID = idText(m.ID)
			if len(pending) >= maxPending {
				clear(pending)
			}
			pending[pendingKey{fromClient, m.ID.Raw()}] = pendingReq{start: it.t, method: m.Method, tool: e.Tool}
		}
	case *jsonrpc.Response:
		e.RPCID = idText(m.ID)
		k := pendingKey{!fromClient, m.ID.Raw()}
		if p, ok := pending[k]; ok {
			delete(pending, k)
			e.Method, e.Tool = p.method, p.tool
			e.LatencyMicros = max(it.t.Sub(p.start).Microseconds(), 1)
		}
		switch {
		case m.Error != nil:
			e.Error = events.RedactString(m.Error.Error())
		case e.Method == "tools/call":
			e.Error = toolError(m.Result)
		}
	}
	e.Body, e.Truncated = events.Body(it.raw, 0)
	t.sink.Append(e)
}

func idText(id jsonrpc.ID) string {
	switch v := id.Raw().(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	default:
		return ""
	}
}

// toolName reads params.name of a tools/call.
func toolName(params json.RawMessage) string {
	var p struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(params, &p)
	return p.Name
}

// toolError returns the text of a tool result with isError set, shortened and redacted,
// or "" for a successful result.
func toolError(result json.RawMessage) string {
	if !bytes.Contains(result, []byte(`"isError":true`)) {
		return ""
	}
	var r struct {
		IsError bool `json:"isError"`
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	}
	if json.Unmarshal(result, &r) != nil || !r.IsError {
		return ""
	}
	msg := "tool returned an error"
	for _, c := range r.Content {
		if c.Type == "text" && c.Text != "" {
			msg = c.Text
			break
		}
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return events.RedactString(msg)
}
