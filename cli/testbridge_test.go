package cli

import (
	"sync"
	"testing"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/clientconfig"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// testBridge starts a bridge in this process on the default layout's socket (set HOME and
// PATCHBAY_HOME first), with kc as its keychain and clients as its client-config manager
// (nil: the bridge's own). It returns the layout, the bridge's state store, and stop, which
// ends the bridge; stop is idempotent and also runs when the test ends.
func testBridge(t *testing.T, kc keychain.Store, clients *clientconfig.Manager) (paths.Layout, *state.Store, func()) {
	t.Helper()
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
	rot, err := events.NewRotator(lay.LogDir(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	evlog := events.NewLog(0, rot)
	b, err := bridge.New(bridge.Options{Store: st, Keychain: kc, Socket: lay.SocketPath(), Events: evlog, Clients: clients})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := bridge.Listen(lay.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { b.Serve(ln); close(done) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			b.Close()
			ln.Close()
			<-done
			evlog.Close()
		})
	}
	t.Cleanup(stop)
	return lay, st, stop
}
