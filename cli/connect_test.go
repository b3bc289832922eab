package cli

import (
	"bytes"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote"
	"github.com/patchbay-mcp/patchbay/connectors/remote/remotetest"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// remoteLoginEnv gives the connect verbs a temporary home with one remote OAuth connection
// "work" pointing at a fake server, an in-memory keychain for the bridge that the test starts
// next (remoteTestBridge), and a test browser.
func remoteLoginEnv(t *testing.T) (*remotetest.Server, *keychain.Memory, *remotetest.Browser) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("PATCHBAY_HOME", filepath.Join(home, "pb"))
	fake := remotetest.New(remotetest.Options{})
	t.Cleanup(fake.Close)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	raw, _ := json.Marshal(remote.Settings{URL: fake.MCPURL, Auth: remote.AuthOAuth, CallbackPort: port})
	lay, err := paths.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := lay.EnsureDirs(); err != nil {
		t.Fatal(err)
	}
	st, err := state.Open(lay.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	err = st.Modify(func(s *state.State) error {
		s.Connections = append(s.Connections,
			state.Connection{Name: "work", Kind: state.KindRemote, Settings: raw, Created: time.Now().UTC()},
			state.Connection{Name: "local", Kind: state.KindStdio, Settings: json.RawMessage(`{"command":"true"}`), Created: time.Now().UTC()})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	store := &keychain.Memory{}
	browser := &remotetest.Browser{}
	oldOpen := openURL
	openURL = browser.Open
	t.Cleanup(func() { openURL = oldOpen })
	return fake, store, browser
}

func remoteRun(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}, args)
	return code, out.String(), errb.String()
}

func TestConnectReconnectLogout(t *testing.T) {
	fake, store, browser := remoteLoginEnv(t)
	remoteTestBridge(t, store)

	code, out, errOut := remoteRun("connect", "work")
	if code != 0 {
		t.Fatalf("connect = %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if len(browser.Opened()) != 1 || !strings.Contains(out, browser.Opened()[0]) {
		t.Errorf("the authorization URL was not printed on stdout:\n%s", out)
	}
	if !strings.Contains(out, "Connected work") || len(store.Keys()) != 2 {
		t.Errorf("connect output %q, keys %v", out, store.Keys())
	}
	if !strings.Contains(errOut, "discovery") || !strings.Contains(errOut, "registration") {
		t.Errorf("no OAuth steps on stderr:\n%s", errOut)
	}

	// reconnect registers a fresh client.
	if code, out, errOut := remoteRun("reconnect", "work"); code != 0 {
		t.Fatalf("reconnect = %d\n%s\n%s", code, out, errOut)
	}
	if n := fake.Counts().Registrations; n != 2 {
		t.Errorf("registrations after reconnect = %d, want 2", n)
	}

	if code, out, errOut := remoteRun("logout", "work"); code != 0 || !strings.Contains(out, "Logged out of work") {
		t.Fatalf("logout = %d\n%s\n%s", code, out, errOut)
	}
	if k := store.Keys(); len(k) != 0 || fake.Counts().Revocations != 1 {
		t.Errorf("after logout keys = %v, revocations = %d", k, fake.Counts().Revocations)
	}
	for _, s := range fake.Secrets() {
		if strings.Contains(out+errOut, s) {
			t.Errorf("a secret (%.6s…) was printed", s)
		}
	}
}

func TestConnectErrors(t *testing.T) {
	_, store, _ := remoteLoginEnv(t)
	remoteTestBridge(t, store)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"connect", "nope"}, 1, "patchbay add remote nope URL --oauth"},
		{[]string{"reconnect", "notion"}, 1, "no connection named"},
		{[]string{"connect", "local"}, 1, "only remote connections"},
		{[]string{"logout", "nope"}, 1, "no connection named"},
		{[]string{"connect"}, 2, "usage"},
	}
	for _, tc := range cases {
		code, _, errOut := remoteRun(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v = %d, %q; want %d and a message containing %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

func TestConnectDeniedStoresNothing(t *testing.T) {
	_, store, browser := remoteLoginEnv(t)
	remoteTestBridge(t, store)
	browser.Deny = true
	code, _, errOut := remoteRun("connect", "work")
	if code != 1 || !strings.Contains(errOut, "access was denied") {
		t.Fatalf("connect with consent denied = %d, %q", code, errOut)
	}
	if k := store.Keys(); len(k) != 0 {
		t.Errorf("stored after a denied login: %v", k)
	}
}
