package bridge_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
)

func TestSocketIsPrivateAndSingle(t *testing.T) {
	h := newHarness(t)
	fi, err := os.Stat(h.layout.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, want a 0600 socket", fi.Mode())
	}
	dir, _ := os.Stat(filepath.Dir(h.layout.SocketPath()))
	if dir.Mode().Perm() != 0o700 {
		t.Fatalf("socket folder mode %v, want 0700", dir.Mode().Perm())
	}
	if _, err := bridge.Listen(h.layout.SocketPath()); !errors.Is(err, bridge.ErrAlreadyRunning) {
		t.Fatalf("second Listen: %v, want ErrAlreadyRunning", err)
	}
	// The first bridge still answers.
	if _, err := h.c.Status(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	l := isolate(t)
	// A crashed bridge leaves its socket file behind, with nobody listening.
	ln, err := net.Listen("unix", l.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(l.SocketPath()); err != nil {
		t.Fatalf("stale socket not left: %v", err)
	}
	c := bridge.NewClient(l.SocketPath())
	if _, err := c.Status(ctxT(t, 5*time.Second)); !errors.Is(err, bridge.ErrNotRunning) {
		t.Fatalf("status against a stale socket: %v, want ErrNotRunning", err)
	}
	ln2, err := bridge.Listen(l.SocketPath())
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	ln2.Close()
	if _, err := os.Stat(l.SocketPath()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left after Close: %v", err)
	}
}

func TestBrowserOriginRefused(t *testing.T) {
	h := newHarness(t)
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", h.layout.SocketPath())
	}}}
	req, _ := http.NewRequest("GET", "http://patchbay/v1/status", nil)
	req.Header.Set("Origin", "https://evil.example")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", "http://patchbay/v1/status", nil)
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d without Origin, want 200", resp.StatusCode)
	}
}

func TestAddRemoveKeepsSecretsInKeychainOnly(t *testing.T) {
	h := newHarness(t)
	ctx := ctxT(t, 10*time.Second)
	const token = "ntn_supersecretvalue1234567890"
	h.addStdio("notion", bridge.StdioSettings{Command: "npx", Args: []string{"-y", "@notionhq/notion-mcp-server"}, SecretEnv: []string{"NOTION_TOKEN"}}, map[string]string{"env/NOTION_TOKEN": token})
	if got, _ := h.kc.Get(ctx, keychain.Key("notion", "env/NOTION_TOKEN")); got != token {
		t.Fatalf("keychain holds %q", got)
	}
	data, _ := os.ReadFile(h.layout.StateFile())
	if strings.Contains(string(data), token) || !strings.Contains(string(data), `"NOTION_TOKEN"`) {
		t.Fatalf("state.json: %s", data)
	}
	st, err := h.c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Connections) != 1 || st.Connections[0].Name != "notion" || st.Connections[0].State != bridge.StateStopped || st.Connections[0].Summary != "npx -y @notionhq/notion-mcp-server" {
		t.Fatalf("status %+v", st.Connections)
	}
	// Adding it again is refused, and says what to do.
	_, err = h.c.Add(ctx, bridge.AddRequest{Name: "notion", Kind: "stdio", Settings: []byte(`{"command":"x"}`)})
	if !bridge.IsExists(err) || !strings.Contains(err.Error(), "patchbay remove notion") {
		t.Fatalf("duplicate add: %v", err)
	}
	// Bad names and kinds are refused with the rule.
	if _, err := h.c.Add(ctx, bridge.AddRequest{Name: "Bad Name", Kind: "stdio"}); err == nil || !strings.Contains(err.Error(), "lowercase") {
		t.Fatalf("bad name: %v", err)
	}
	if _, err := h.c.Add(ctx, bridge.AddRequest{Name: "x", Kind: "ftp"}); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Fatalf("bad kind: %v", err)
	}
	if err := h.c.Remove(ctx, "notion"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.kc.Get(ctx, keychain.Key("notion", "env/NOTION_TOKEN")); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("secret left in the keychain after remove: %v", err)
	}
	if err := h.c.Remove(ctx, "notion"); !bridge.IsNotFound(err) {
		t.Fatalf("second remove: %v, want not found", err)
	}
	// Nothing under the Patchbay home holds the token: state, event log, anything.
	assertNoSecretOnDisk(t, h.layout.Home, token)
}

func assertNoSecretOnDisk(t *testing.T, root, secret string) {
	t.Helper()
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&fs.ModeSocket != 0 {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(data), secret) {
			t.Errorf("%s contains the secret", p)
		}
		return nil
	})
}

func TestEventsCatchUpAndFollow(t *testing.T) {
	h := newHarness(t)
	h.b.Events().Append(events.Event{Kind: events.KindLog, Connection: "a", Message: "one"})
	h.b.Events().Append(events.Event{Kind: events.KindLog, Connection: "b", Message: "two"})
	var got []string
	err := h.c.Events(ctxT(t, 5*time.Second), bridge.EventsQuery{Filter: events.Filter{Connection: "b"}}, func(e events.Event) error {
		got = append(got, e.Message)
		return nil
	})
	if err != nil || len(got) != 1 || got[0] != "two" {
		t.Fatalf("catch-up: %v %v", got, err)
	}
	// Follow: events appended later are pushed.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	last := h.b.Events().LastID()
	seen := make(chan events.Event, 10)
	go h.c.Events(ctx, bridge.EventsQuery{Since: last, Follow: true}, func(e events.Event) error {
		seen <- e
		return nil
	})
	time.Sleep(50 * time.Millisecond)
	h.b.Events().Append(events.Event{Kind: events.KindLog, Message: "three"})
	select {
	case e := <-seen:
		if e.Message != "three" || e.ID != last+1 {
			t.Fatalf("followed %+v", e)
		}
	case <-ctx.Done():
		t.Fatal("no event pushed")
	}
}
