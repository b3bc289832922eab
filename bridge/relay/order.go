package relay

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Progress must reach the client before the result of its request: the TypeScript SDK (and
// so Claude Desktop, Cursor, ...) drops a progress notification whose request has already
// been answered. The upstream sends them in that order, but go-sdk dispatches notifications
// on another goroutine than responses, so a result could overtake its last progress.
//
// So the upstream connection counts progress notifications as they are read off the wire,
// in wire order, and a request waits, briefly, until the ones read before its result have
// been forwarded. Everything read before the result is counted before the result is
// delivered, so no progress that preceded the result is missed.

// progressWait bounds how long a result waits for its progress to be forwarded: a stuck
// client must not hold results back.
const progressWait = 500 * time.Millisecond

// orderedTransport wraps an upstream transport so that its connection counts progress.
// It also stores the connection in *raw if the fast lane can use it (a stdio child's).
type orderedTransport struct {
	mcp.Transport
	s   *Session
	raw *rawLineConn
}

func (t orderedTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := t.Transport.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if rc, ok := c.(rawLineConn); ok && t.raw != nil {
		*t.raw = rc
	}
	return orderedConn{Connection: c, s: t.s}, nil
}

type orderedConn struct {
	mcp.Connection
	s *Session
}

func (c orderedConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	msg, err := c.Connection.Read(ctx)
	if req, ok := msg.(*jsonrpc.Request); ok && err == nil && req.Method == "notifications/progress" {
		if tok := progressTokenOf(req.Params); tok != "" {
			c.s.progressArrived(tok)
		}
	}
	return msg, err
}

// progressTokenOf returns the relay's own progress token in params, or "".
func progressTokenOf(params json.RawMessage) string {
	var p struct {
		Token any `json:"progressToken"`
	}
	if json.Unmarshal(params, &p) != nil {
		return ""
	}
	if s, ok := p.Token.(string); ok && strings.HasPrefix(s, relayTokenPrefix) {
		return s
	}
	return ""
}

// progressArrived counts a progress notification read for token up.
func (s *Session) progressArrived(up string) {
	s.mu.Lock()
	s.progressPending[up]++
	s.mu.Unlock()
}

// progressForwarded uncounts one notification for up, once it was forwarded (or dropped).
func (s *Session) progressForwarded(up string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.progressPending[up]
	if !ok {
		return
	}
	if n > 1 {
		s.progressPending[up] = n - 1
		return
	}
	delete(s.progressPending, up)
	close(s.progressIdle)
	s.progressIdle = make(chan struct{})
}

// waitProgress returns once every progress notification counted for up has been forwarded,
// or after progressWait.
func (s *Session) waitProgress(up string) {
	var timeout <-chan time.Time
	for {
		s.mu.Lock()
		n, idle := s.progressPending[up], s.progressIdle
		s.mu.Unlock()
		if n == 0 {
			return
		}
		if timeout == nil {
			t := time.NewTimer(progressWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-idle:
		case <-timeout:
			return
		}
	}
}
