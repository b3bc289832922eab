package app

import (
	"bytes"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patchbay-mcp/patchbay/assets"
	"github.com/patchbay-mcp/patchbay/bridge"
)

// fakeTray is a desktop.App that keeps what it was last given, as the real one hands it to
// the OS: the icon bytes and the menu.
type fakeTray struct {
	icon   []byte
	menu   *fyne.Menu
	labels []string // top-level labels when the menu was last set
	window fyne.Window
	menus  int
}

func (f *fakeTray) SetSystemTrayMenu(m *fyne.Menu) {
	f.menus++
	f.menu = m
	f.labels = nil
	for _, it := range m.Items {
		if !it.IsSeparator {
			f.labels = append(f.labels, it.Label)
		}
	}
}
func (f *fakeTray) SetSystemTrayIcon(r fyne.Resource) { f.icon = r.Content() }
func (f *fakeTray) SetSystemTrayWindow(w fyne.Window) { f.window = w }

// item finds a menu item by label, in submenus too.
func (f *fakeTray) item(label string) *fyne.MenuItem {
	var find func(m *fyne.Menu) *fyne.MenuItem
	find = func(m *fyne.Menu) *fyne.MenuItem {
		for _, it := range m.Items {
			if it.Label == label {
				return it
			}
			if it.ChildMenu != nil {
				if got := find(it.ChildMenu); got != nil {
					return got
				}
			}
		}
		return nil
	}
	return find(f.menu)
}

func iconIs(t *testing.T, f *fakeTray, s assets.TrayState) {
	t.Helper()
	if _, want := assets.Tray(s); !bytes.Equal(f.icon, want) {
		t.Errorf("tray icon is not the %v icon", s)
	}
}

func TestTrayShowsEachConnectionAndWorstState(t *testing.T) {
	be := newFakeBackend()
	tray := &fakeTray{}
	u := newTestUI(t, be, tray)

	want := []string{"notion: ● Connected", "notion-hosted: ▲ Needs reconnecting", "Connect Notion…",
		"Add Notion token…", "Add server…", "Clients", "Open Patchbay", "Inspector", "Quit"}
	if strings.Join(tray.labels, "|") != strings.Join(want, "|") {
		t.Fatalf("tray menu\n%q\nwant\n%q", tray.labels, want)
	}
	if !tray.item("notion: ● Connected").Disabled {
		t.Error("a connection line must be a disabled status line")
	}
	if q := tray.item("Quit"); !q.IsQuit || q.Action == nil {
		t.Error("Quit must be our own item (IsQuit, with an action), so Fyne does not add its own")
	}
	if tray.window != u.main.window {
		t.Error("the main window is not the tray's window")
	}
	iconIs(t, tray, assets.TrayAttention) // one connection needs reconnecting

	// Signing in again clears the attention state; the icon turns to connected.
	be.mu.Lock()
	be.conns["notion-hosted"].State = bridge.StateReady
	be.clients[2].State = ClientConnected
	be.mu.Unlock()
	u.ctl.refresh()
	iconIs(t, tray, assets.TrayConnected)
	if tray.item("notion-hosted: ● Connected") == nil {
		t.Errorf("tray menu %q does not show notion-hosted connected", tray.labels)
	}
	menus := tray.menus
	u.ctl.refresh()
	if tray.menus != menus {
		t.Error("a refresh with nothing changed handed the tray a new menu")
	}
}

func TestTrayEmptyAndOfflineStates(t *testing.T) {
	be := newFakeBackend()
	be.conns = map[string]*bridge.ConnectionStatus{}
	tray := &fakeTray{}
	u := newTestUI(t, be, tray)
	if tray.labels[0] != "No connections yet" {
		t.Errorf("first line %q, want No connections yet", tray.labels[0])
	}
	iconIs(t, tray, assets.TrayIdle)

	be.Shutdown(t.Context())
	u.ctl.refresh()
	if tray.labels[0] != "Bridge not running" || tray.labels[1] != "Start the bridge" {
		t.Fatalf("offline menu %q, want the bridge's state and a way to start it", tray.labels)
	}
	iconIs(t, tray, assets.TrayAttention)
	tray.item("Start the bridge").Action()
	if be.starts != 1 || tray.labels[0] != "No connections yet" {
		t.Errorf("Start the bridge: %d starts, menu %q", be.starts, tray.labels)
	}
}

func TestTrayClientCheckConnectsAllConnections(t *testing.T) {
	be := newFakeBackend()
	tray := &fakeTray{}
	newTestUI(t, be, tray)

	cursor := tray.item("Cursor")
	if cursor == nil || cursor.Checked {
		t.Fatalf("Cursor must be in the Clients submenu, unchecked: %+v", cursor)
	}
	if tray.item("VS Code (drifted)") == nil || !tray.item("VS Code (drifted)").Checked {
		t.Error("a drifted client must be marked and checked")
	}
	if tray.item("Windsurf") != nil {
		t.Error("a client that is not installed must not be in the tray")
	}
	cursor.Action()
	if be.clients[1].State != ClientConnected || strings.Join(be.clients[1].Connections, ",") != "notion,notion-hosted" {
		t.Fatalf("Cursor after the check: %+v, want connected to every connection", be.clients[1])
	}
	if !tray.item("Cursor").Checked {
		t.Error("Cursor is not checked after connecting")
	}
	tray.item("Cursor").Action()
	if be.clients[1].State != ClientNotConnected {
		t.Errorf("unchecking Cursor left it %s", be.clients[1].State)
	}
}

func TestTrayQuitAsksAboutTheBridge(t *testing.T) {
	be := newFakeBackend()
	tray := &fakeTray{}
	u := newTestUI(t, be, tray)
	tray.item("Quit").Action()
	if u.quit == nil || u.quit.window.Title() != quitTitle {
		t.Fatal("Quit did not ask whether to stop the bridge")
	}
	u.quit.cancel.OnTapped()
	if !be.running {
		t.Error("Cancel stopped the bridge")
	}
}

func TestTrayQuitCanStopTheBridge(t *testing.T) {
	be := newFakeBackend()
	tray := &fakeTray{}
	u := newTestUI(t, be, tray)
	tray.item("Quit").Action()
	test.Tap(u.quit.stopBoth)
	if be.running {
		t.Error("Quit and stop the bridge left the bridge running")
	}
}
