package bridge_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
)

// clientEvents follows the bridge's KindClient events from now on.
func (h *harness) clientEvents() <-chan events.Event {
	h.t.Helper()
	st, err := h.c.Status(ctxT(h.t, 5*time.Second))
	if err != nil {
		h.t.Fatal(err)
	}
	ch := make(chan events.Event, 64)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	h.t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		h.c.Events(ctx, bridge.EventsQuery{Since: st.Bridge.LastEventID, Follow: true, Filter: events.Filter{Kind: events.KindClient}}, func(e events.Event) error {
			select {
			case ch <- e:
			case <-ctx.Done():
			}
			return nil
		})
	}()
	return ch
}

// waitClientEvent waits (at most 10 s) for a KindClient event of client with message msg,
// skipping others.
func waitClientEvent(t *testing.T, ch <-chan events.Event, client, msg string) events.Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-ch:
			if e.Client == client && e.Message == msg {
				return e
			}
			t.Logf("skipping client event %+v", e)
		case <-deadline:
			t.Fatalf("no %q event for %s within 10s", msg, client)
		}
	}
}

func clientStatus(t *testing.T, h *harness, id string) bridge.ClientStatus {
	t.Helper()
	sts, err := h.c.Clients(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no client %q in %+v", id, sts)
	return bridge.ClientStatus{}
}

// TestClientsThroughTheBridge connects a fake installed Cursor through the API, sees an
// outside edit arrive as a drifted event, turns auto-repair on and sees the entry put back,
// and checks that removing a connection leaves client configs alone.
func TestClientsThroughTheBridge(t *testing.T) {
	h := newHarness(t)
	home := os.Getenv("HOME")
	if err := os.MkdirAll(filepath.Join(home, ".cursor"), 0o755); err != nil {
		t.Fatal(err)
	}
	cursorFile := filepath.Join(home, ".cursor", "mcp.json")
	h.addStdio("work", bridge.StdioSettings{Command: "true"}, nil)
	evs := h.clientEvents()
	ctx := ctxT(t, 30*time.Second)

	if s := clientStatus(t, h, "cursor"); s.State != "not-connected" || !s.Installed {
		t.Fatalf("cursor before connecting: %+v", s)
	}
	dry, err := h.c.ChangeClient(ctx, "cursor", bridge.ClientChange{Action: bridge.ActionConnect, All: true, DryRun: true})
	if err != nil || !dry.DryRun || !strings.Contains(dry.Diff, `"work"`) {
		t.Fatalf("dry run: %+v, %v", dry, err)
	}
	if _, err := os.Stat(cursorFile); err == nil {
		t.Fatal("a dry run wrote the file")
	}
	res, err := h.c.ChangeClient(ctx, "cursor", bridge.ClientChange{Action: bridge.ActionConnect, All: true})
	if err != nil || !res.Changed || res.File != cursorFile {
		t.Fatalf("connect: %+v, %v", res, err)
	}
	data, _ := os.ReadFile(cursorFile)
	if !strings.Contains(string(data), `"work"`) || !strings.Contains(string(data), `"shim"`) {
		t.Fatalf("cursor's file after connect:\n%s", data)
	}
	waitClientEvent(t, evs, "cursor", bridge.ClientEventConnected)
	if s := clientStatus(t, h, "cursor"); s.State != "connected" || len(s.Connections) != 1 {
		t.Fatalf("cursor after connecting: %+v", s)
	}

	// Someone else empties the file: the watcher reports drift.
	if err := os.WriteFile(cursorFile, []byte(`{"mcpServers": {}}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitClientEvent(t, evs, "cursor", bridge.ClientEventDrifted)
	if s := clientStatus(t, h, "cursor"); s.State != "drifted" || len(s.Drifted) != 1 || s.Drifted[0] != "work" {
		t.Fatalf("cursor after the outside edit: %+v", s)
	}

	// Auto-repair on: the bridge writes state.json and puts the entry back at once.
	if err := h.c.SetClientAutoRepair(ctx, "cursor", true); err != nil {
		t.Fatal(err)
	}
	if !h.store.Get().Clients["cursor"].AutoRepair {
		t.Fatalf("auto-repair not saved: %+v", h.store.Get().Clients)
	}
	waitClientEvent(t, evs, "cursor", bridge.ClientEventRepaired)
	if s := clientStatus(t, h, "cursor"); s.State != "connected" || !s.AutoRepair {
		t.Fatalf("cursor after auto-repair: %+v", s)
	}
	if err := h.c.SetClientAutoRepair(ctx, "cursor", false); err != nil {
		t.Fatal(err)
	}

	// Removing the connection leaves the client's entry (it now names an unknown connection).
	if err := h.c.Remove(ctx, "work"); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(cursorFile)
	if !strings.Contains(string(data), `"work"`) {
		t.Fatalf("remove edited cursor's file:\n%s", data)
	}

	res, err = h.c.ChangeClient(ctx, "cursor", bridge.ClientChange{Action: bridge.ActionDisconnect})
	if err != nil || !res.Changed {
		t.Fatalf("disconnect: %+v, %v", res, err)
	}
	waitClientEvent(t, evs, "cursor", bridge.ClientEventDisconnected)
	if s := clientStatus(t, h, "cursor"); s.State != "not-connected" {
		t.Fatalf("cursor after disconnect: %+v", s)
	}
}

func TestClientsAPIErrors(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t, 10*time.Second)
	if _, err := h.c.ChangeClient(ctx, "nope", bridge.ClientChange{Action: bridge.ActionConnect, All: true}); !bridge.IsNotFound(err) {
		t.Errorf("unknown client: %v", err)
	}
	if err := h.c.SetClientAutoRepair(ctx, "nope", true); !bridge.IsNotFound(err) {
		t.Errorf("auto-repair of an unknown client: %v", err)
	}
	_, err := h.c.ChangeClient(ctx, "cursor", bridge.ClientChange{Action: "explode"})
	if a, ok := err.(*bridge.APIError); !ok || a.Status != http.StatusBadRequest || !strings.Contains(a.Message, "connect, disconnect, repair or restore") {
		t.Errorf("bad action: %v", err)
	}
	if _, err := h.c.ChangeClient(ctx, "cursor", bridge.ClientChange{Action: bridge.ActionConnect, All: true}); err == nil || !strings.Contains(err.Error(), "no connections yet") {
		t.Errorf("connect all with no connection: %v", err)
	}
	// Cursor is not installed in this home: the error says what to do.
	_, err = h.c.ChangeClient(ctx, "cursor", bridge.ClientChange{Action: bridge.ActionConnect, Connections: []string{"x"}})
	if err == nil || !strings.Contains(err.Error(), "install it first") {
		t.Errorf("connect to a client that is not installed: %v", err)
	}
}

// BenchmarkClientsStatus measures GET /v1/clients through the socket with one connected
// client (every client's file is read and parsed on each call).
func BenchmarkClientsStatus(b *testing.B) {
	h := newHarness(b)
	os.MkdirAll(filepath.Join(os.Getenv("HOME"), ".cursor"), 0o755)
	h.addStdio("work", bridge.StdioSettings{Command: "true"}, nil)
	ctx := ctxT(b, time.Minute)
	if _, err := h.c.ChangeClient(ctx, "cursor", bridge.ClientChange{Action: bridge.ActionConnect, All: true}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := h.c.Clients(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
