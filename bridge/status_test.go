package bridge_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/bench/echoserver"
	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// memConnector serves the Go echo server in-process and keeps the hooks the bridge gave it.
type memConnector struct{ hooks connectors.Hooks }

func (m *memConnector) Transport(ctx context.Context) (mcp.Transport, error) {
	ct, st := mcp.NewInMemoryTransports()
	if _, err := echoserver.New().Connect(ctx, st, nil); err != nil {
		return nil, err
	}
	return ct, nil
}

func (m *memConnector) Close() error { return nil }

func TestStatusFollowsConnectorHooks(t *testing.T) {
	l := isolate(t)
	store, err := state.Open(l.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	made := make(chan *memConnector, 1)
	b, err := bridge.New(bridge.Options{Store: store, Keychain: &keychain.Memory{}, NewConnector: func(c state.Connection, kc keychain.Store, hooks connectors.Hooks) (connectors.Connector, error) {
		m := &memConnector{hooks: hooks}
		made <- m
		return m, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := bridge.Listen(l.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	go b.Serve(ln)
	defer func() { b.Close(); ln.Close() }()
	c := bridge.NewClient(l.SocketPath())
	defer c.CloseIdleConnections()
	ctx := ctxT(t, 30*time.Second)
	if _, err := c.Add(ctx, bridge.AddRequest{Name: "mem", Kind: state.KindRemote, Settings: []byte(`{"url":"https://example.com/mcp"}`)}); err != nil {
		t.Fatal(err)
	}
	statusOf := func() bridge.ConnectionStatus {
		st, err := c.Status(ctx)
		if err != nil || len(st.Connections) != 1 {
			t.Fatalf("status: %+v %v", st, err)
		}
		return st.Connections[0]
	}
	// The connector is built when the first session arrives.
	ts, err := c.Tools(ctx, "mem")
	if err != nil || len(ts) != 4 {
		t.Fatalf("tools: %v %v", ts, err)
	}
	m := <-made

	m.hooks.NeedsAuth("the login expired: run `patchbay connect mem`")
	if s := statusOf(); s.State != bridge.StateNeedsAuth || !strings.Contains(s.LastError, "patchbay connect mem") {
		t.Fatalf("after NeedsAuth: %+v", s)
	}
	m.hooks.Authorized()
	if s := statusOf(); s.State != bridge.StateStopped {
		t.Fatalf("after Authorized: %+v", s)
	}
	m.hooks.Log("error", "upstream said: Authorization: Bearer ntn_abcdefghijklmnopqrstu")
	s := statusOf()
	if strings.Contains(s.LastError, "ntn_abcdefghijklmnopqrstu") || !strings.Contains(s.LastError, "[REDACTED]") {
		t.Fatalf("last error not redacted: %q", s.LastError)
	}
	evs, _ := b.Events().Since(0)
	for _, e := range evs {
		if strings.Contains(e.Message+e.Error, "ntn_abcdefghijklmnopqrstu") {
			t.Fatalf("event holds the token: %+v", e)
		}
	}
}
