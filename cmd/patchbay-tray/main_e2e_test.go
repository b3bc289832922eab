//go:build !ci

// The tests in this file drive the real GLFW app under a display and a session bus; with
// -tags ci Fyne swaps in its headless test driver, so they do not apply.

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"github.com/patchbay-mcp/patchbay/bridge"
	"github.com/patchbay-mcp/patchbay/internal/paths"
	"github.com/patchbay-mcp/patchbay/internal/testproc"
)

// requireDesktop skips unless DISPLAY and a D-Bus session bus are there (run the test under
// `xvfb-run dbus-run-session`); in CI (CI set) their absence is a failure.
func requireDesktop(t *testing.T) {
	t.Helper()
	var missing []string
	for _, v := range []string{"DISPLAY", "DBUS_SESSION_BUS_ADDRESS"} {
		if os.Getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("needs %s: run under xvfb-run -a dbus-run-session -- go test", strings.Join(missing, " and "))
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// TestWindowWithoutSessionBusQuitsCleanly runs patchbay with a display but no session bus:
// it must say it runs without a tray, show its window, and quit with exit code 0 when the
// window is closed (nothing would be left to reopen it) or on SIGTERM. With Fyne's tray
// started on no bus, quitting panics (fyne-io/fyne#6403).
func TestWindowWithoutSessionBusQuitsCleanly(t *testing.T) {
	requireDesktop(t)
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
		t.Skip("a session bus listens at /run/user/UID/bus, which godbus finds without DBUS_SESSION_BUS_ADDRESS")
	}
	xdotool := requireXdotool(t)
	var env []string
	for _, kv := range desktopEnv() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, kv)
		}
	}
	for _, how := range []string{"close the window", "SIGTERM"} {
		t.Run(how, func(t *testing.T) {
			env := testproc.Env(t, envRunMain, env...)
			startBridge(t, env) // the app would start one otherwise, which would outlive the test
			p := startTray(t, env)
			cmd, stderr, exited := p.cmd, p.stderr, p.exited

			// Once the window is visible, the SIGTERM handler is installed too.
			wid := waitForWindow(t, xdotool, cmd.Process.Pid, exited, stderr)
			if how == "SIGTERM" {
				if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
			} else {
				closeWindow(t, wid)
			}
			select {
			case <-exited:
			case <-time.After(20 * time.Second):
				t.Fatalf("patchbay still running 20 s after: %s; stderr:\n%s", how, stderr.String())
			}
			testproc.AssertNoPanic(t, "patchbay without a session bus", stderr.String())
			if p.err != nil {
				t.Fatalf("patchbay exited with %v after: %s; stderr:\n%s", p.err, how, stderr.String())
			}
			if !strings.Contains(stderr.String(), "running without a tray icon") {
				t.Errorf("stderr does not say the tray is off:\n%s", stderr.String())
			}
		})
	}
}

// trayProc is the test binary running as the tray; exited is closed once err is set.
type trayProc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
	err    error // how the process ended; read it only after exited is closed
}

// startTray starts the test binary as the tray (no arguments) with env. The test's cleanup
// kills it if it still runs.
func startTray(t *testing.T, env []string) *trayProc {
	t.Helper()
	p := &trayProc{cmd: exec.Command(os.Args[0]), stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Env, p.cmd.Stderr = env, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// closeWindow closes X window wid (decimal, as xdotool prints it) as a window manager would.
func closeWindow(t *testing.T, wid string) {
	t.Helper()
	id, err := strconv.ParseUint(wid, 10, 32)
	if err != nil {
		t.Fatalf("window id %q: %v", wid, err)
	}
	if err := closeX11Window(os.Getenv("DISPLAY"), uint32(id)); err != nil {
		t.Fatalf("closing window %s: %v", wid, err)
	}
}

// waitForNoWindow waits, up to 10 s, until process pid shows no window titled Patchbay.
func waitForNoWindow(t *testing.T, xdotool string, pid int) {
	t.Helper()
	for range 100 {
		out, _ := exec.Command(xdotool, "search", "--onlyvisible", "--pid", strconv.Itoa(pid), "--name", "^Patchbay$").Output()
		if len(bytes.TrimSpace(out)) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the Patchbay window is still visible 10 s after it was closed")
}

// requireXdotool returns xdotool's path; it skips the test without it, or fails in CI.
func requireXdotool(t *testing.T) string {
	t.Helper()
	xdotool, err := exec.LookPath("xdotool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xdotool is needed to see the window: apt-get install xdotool")
		}
		t.Skip("xdotool not installed")
	}
	return xdotool
}

// waitForWindow waits, up to 30 s, until process pid shows a window titled exactly Patchbay
// (Fyne's tray also makes a hidden window, SystrayMonitor), and returns its X id.
func waitForWindow(t *testing.T, xdotool string, pid int, exited <-chan struct{}, stderr *syncBuffer) string {
	t.Helper()
	return waitForTitledWindow(t, xdotool, pid, "Patchbay", exited, stderr)
}

// waitForTitledWindow waits, up to 30 s, until process pid shows a window titled exactly
// title, and returns its X id. It lists the process's visible windows and compares their
// names itself: xdotool's own name search can answer with another window of the process.
func waitForTitledWindow(t *testing.T, xdotool string, pid int, title string, exited <-chan struct{}, stderr *syncBuffer) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := exec.Command(xdotool, "search", "--onlyvisible", "--pid", strconv.Itoa(pid), "--name", "").Output()
		for _, id := range strings.Fields(string(out)) {
			name, err := exec.Command(xdotool, "getwindowname", id).Output()
			if err == nil && strings.TrimRight(string(name), "\n") == title {
				return id
			}
		}
		select {
		case <-exited:
			t.Fatalf("patchbay exited before showing its %s window; stderr:\n%s", title, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("no %s window within 30 s; stderr:\n%s", title, stderr.String())
	return ""
}

// desktopEnv passes on what a desktop session gives a program it starts: the display, its
// X authorisation (xvfb-run makes one), and the session bus.
func desktopEnv() []string {
	var env []string
	for _, v := range []string{"DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS"} {
		if val, ok := os.LookupEnv(v); ok {
			env = append(env, v+"="+val)
		}
	}
	return env
}

// TestTrayWithRefusedDisplayExplainsAndExits1 runs patchbay against a live X server that
// refuses it (no X authorisation): GLFW's panic becomes a clear message and exit code 1.
func TestTrayWithRefusedDisplayExplainsAndExits1(t *testing.T) {
	requireDesktop(t)
	if os.Getenv("XAUTHORITY") == "" {
		t.Skip("this X server needs no authorisation (XAUTHORITY unset), so it cannot refuse us")
	}
	r := testproc.Run(t, os.Args[0], testproc.Env(t, envRunMain, "DISPLAY="+os.Getenv("DISPLAY")))
	testproc.AssertNoPanic(t, "patchbay without X authorisation", r.Stderr)
	if r.Code != 1 || !strings.Contains(r.Stderr, "Patchbay cannot open a window on the display "+os.Getenv("DISPLAY")) {
		t.Fatalf("patchbay refused by the X server: exit %d, stderr %q; want exit 1 and a clear message", r.Code, r.Stderr)
	}
}

// watcher is a StatusNotifierWatcher, the desktop-side registry that tray items announce
// themselves to (what a panel such as KDE's or a GNOME AppIndicator extension runs). It
// passes each registration on, with the unique bus name of the sender, without blocking.
type watcher struct {
	got chan registration
}

type registration struct{ sender, path string }

// RegisterStatusNotifierItem is called by a tray item; service is its object path (as
// fyne.io/systray sends it) or a bus name.
func (w *watcher) RegisterStatusNotifierItem(service string, sender dbus.Sender) *dbus.Error {
	select {
	case w.got <- registration{sender: string(sender), path: service}:
	default:
	}
	return nil
}

// RegisterStatusNotifierHost is called by a panel that draws items; accepted and ignored.
func (w *watcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

// ownWatcher exports a watcher on conn and owns org.kde.StatusNotifierWatcher.
func ownWatcher(t *testing.T, conn *dbus.Conn) *watcher {
	t.Helper()
	w := &watcher{got: make(chan registration, 8)}
	const path, iface = "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"
	if err := conn.Export(w, path, iface); err != nil {
		t.Fatal(err)
	}
	if _, err := prop.Export(conn, path, prop.Map{iface: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitFalse},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitFalse},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitFalse},
	}}); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName(iface, dbus.NameFlagDoNotQueue)
	if err != nil {
		t.Fatalf("requesting %s: %v", iface, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("%s is owned by someone else on this bus: run the test in its own dbus-run-session", iface)
	}
	return w
}

// menuItem is one entry of a com.canonical.dbusmenu layout.
type menuItem struct {
	id       int32
	props    map[string]dbus.Variant
	children []menuItem
}

func (m menuItem) label() string {
	l, _ := m.props["label"].Value().(string)
	return l
}

func (m menuItem) enabled() bool {
	e, ok := m.props["enabled"].Value().(bool)
	return !ok || e // absent means enabled
}

// checked reports whether a checkable item is ticked (dbusmenu toggle-state 1).
func (m menuItem) checked() bool {
	v, _ := m.props["toggle-state"].Value().(int32)
	return v == 1
}

// flatten lists the item and its descendants, depth first.
func (m menuItem) flatten() []menuItem {
	out := []menuItem{m}
	for _, c := range m.children {
		out = append(out, c.flatten()...)
	}
	return out
}

// parseLayout decodes a layout node, signature (ia{sv}av), as godbus hands it inside a variant.
func parseLayout(v any) (menuItem, error) {
	f, ok := v.([]any)
	if !ok || len(f) != 3 {
		return menuItem{}, fmt.Errorf("menu layout node %#v is not (ia{sv}av)", v)
	}
	id, ok1 := f[0].(int32)
	props, ok2 := f[1].(map[string]dbus.Variant)
	kids, ok3 := f[2].([]dbus.Variant)
	if !ok1 || !ok2 || !ok3 {
		return menuItem{}, fmt.Errorf("menu layout node %#v is not (ia{sv}av)", v)
	}
	m := menuItem{id: id, props: props}
	for _, k := range kids {
		c, err := parseLayout(k.Value())
		if err != nil {
			return menuItem{}, err
		}
		m.children = append(m.children, c)
	}
	return m, nil
}

// getLayout reads the whole menu. fyne.io/systray answers the first GetLayout after a menu
// reset with depth 1 only, so callers poll.
func getLayout(menu dbus.BusObject) (menuItem, error) {
	var rev uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	if err := menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		return menuItem{}, fmt.Errorf("GetLayout: %w", err)
	}
	return parseLayout([]any{root.ID, root.Props, root.Children})
}

// syncBuffer is a bytes.Buffer safe to read while a child process writes to it.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// bridgeServesClients says the bridge serves the client-config endpoints (GET and POST
// /v1/clients) that the tray's Clients submenu uses. Until they land, the tray shows no
// clients and the Cursor steps below are left out.
const bridgeServesClients = true

// TestTrayMenuEndToEnd starts patchbay under a real X server and session bus, plays the
// desktop's part (a StatusNotifierWatcher), reads the tray menu over com.canonical.dbusmenu as
// a panel would, and quits the app from its menu.
func TestTrayMenuEndToEnd(t *testing.T) {
	requireDesktop(t)
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("connecting to the session bus: %v", err)
	}
	defer conn.Close()
	w := ownWatcher(t, conn)

	// A real bridge with a connection, in the temporary home, and Cursor installed there.
	env := testproc.Env(t, envRunMain, desktopEnv()...)
	startBridge(t, env)
	if r := testproc.Run(t, os.Args[0], env, "add", "stdio", "demo", "--", "cat"); r.Code != 0 {
		t.Fatalf("patchbay add stdio: exit %d\n%s", r.Code, r.Stderr)
	}
	home := envValue(env, "HOME")
	if err := os.MkdirAll(filepath.Join(home, ".cursor"), 0o700); err != nil {
		t.Fatal(err)
	}

	p := startTray(t, env)
	cmd, stderr, exited := p.cmd, p.stderr, p.exited
	pid := uint32(cmd.Process.Pid)

	// The registration must come from the process we started.
	var item registration
	deadline := time.After(30 * time.Second)
	for item.sender == "" {
		select {
		case r := <-w.got:
			var senderPID uint32
			err := conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, r.sender).Store(&senderPID)
			if err == nil && senderPID == pid {
				item = r
			}
		case <-exited:
			t.Fatalf("patchbay exited (%v) before registering a tray item; stderr:\n%s", p.err, stderr.String())
		case <-deadline:
			t.Fatalf("no tray item registered within 30 s; stderr:\n%s", stderr.String())
		}
	}
	if item.path != "/StatusNotifierItem" {
		t.Fatalf("registered %q, want the object path /StatusNotifierItem", item.path)
	}

	sni := conn.Object(item.sender, "/StatusNotifierItem")
	getProp := func(name string) dbus.Variant {
		v, err := sni.GetProperty("org.kde.StatusNotifierItem." + name)
		if err != nil {
			t.Fatalf("reading the tray item's %s: %v", name, err)
		}
		return v
	}
	menuPath, ok := getProp("Menu").Value().(dbus.ObjectPath)
	if !ok || !menuPath.IsValid() {
		t.Fatalf("tray item's Menu = %v, want an object path", getProp("Menu"))
	}

	// Poll until the menu is complete: it is built after the item registers, and the first
	// GetLayout is answered with depth 1 only.
	menu := conn.Object(item.sender, menuPath)
	want := []string{"demo: ○ Idle", "Connect Notion…", "Add Notion token…", "Add server…", "Clients",
		"Open Patchbay", "Inspector", "Quit"}
	if bridgeServesClients {
		want = append(want, "Cursor")
	}
	var items map[string]menuItem
	for tries := 0; ; tries++ {
		root, err := getLayout(menu)
		if err != nil {
			t.Fatal(err)
		}
		items = map[string]menuItem{}
		for _, m := range root.flatten() {
			if l := m.label(); l != "" {
				items[l] = m
			}
		}
		complete := tries >= 1 // at least two reads, see getLayout
		for _, l := range want {
			complete = complete && items[l].id != 0
		}
		if complete {
			break
		}
		if tries == 50 {
			t.Fatalf("tray menu labels %v after 50 reads, want %q", keys(items), want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if items["demo: ○ Idle"].enabled() {
		t.Error(`"demo: ○ Idle" is enabled; it is a status line and must be disabled`)
	}
	if !items["Open Patchbay"].enabled() || !items["Quit"].enabled() {
		t.Error(`"Open Patchbay" and "Quit" must be enabled`)
	}
	// The title is set apart from the registration and the menu: under load it can come last.
	var title string
	for tries := 0; tries < 100; tries++ {
		if title, _ = getProp("Title").Value().(string); title == "Patchbay" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if title != "Patchbay" {
		t.Errorf("tray item title %q after 5 s, want Patchbay", title)
	}
	// The icon reached the tray: Fyne hands systray our 64×64 PNG, sent as ARGB pixmaps.
	var pixmaps []struct {
		W, H int32
		Pix  []byte
	}
	if err := getProp("IconPixmap").Store(&pixmaps); err != nil || len(pixmaps) == 0 || pixmaps[0].W != 64 || len(pixmaps[0].Pix) != 64*64*4 {
		t.Errorf("tray icon pixmaps %v (%v), want one 64×64 ARGB image", len(pixmaps), err)
	}

	click := func(m menuItem) {
		t.Helper()
		if err := menu.Call("com.canonical.dbusmenu.Event", 0, m.id, "clicked", dbus.MakeVariant(""), uint32(0)).Err; err != nil {
			t.Fatalf("clicking %q: %v", m.label(), err)
		}
	}

	// Closing the window (as a window manager's close button does) only hides it while the
	// tray runs; "Open Patchbay" brings it back.
	xdotool := requireXdotool(t)
	wid := waitForWindow(t, xdotool, cmd.Process.Pid, exited, stderr)
	closeWindow(t, wid)
	waitForNoWindow(t, xdotool, cmd.Process.Pid)
	select {
	case <-exited:
		t.Fatalf("patchbay exited (%v) when its window was closed; with a tray it must keep running; stderr:\n%s", p.err, stderr.String())
	case <-time.After(500 * time.Millisecond):
	}
	click(items["Open Patchbay"])
	if got := waitForWindow(t, xdotool, cmd.Process.Pid, exited, stderr); got != wid {
		t.Errorf("Open Patchbay showed window %s, want the main window %s", got, wid)
	}

	// Checking Cursor in the Clients submenu writes its config for every connection.
	cursorConfig := filepath.Join(home, ".cursor", "mcp.json")
	if bridgeServesClients {
		click(items["Cursor"])
	}
	for i := 0; bridgeServesClients; i++ {
		b, _ := os.ReadFile(cursorConfig)
		if strings.Contains(string(b), `"demo"`) && strings.Contains(string(b), `"shim"`) {
			break
		}
		if i == 100 {
			t.Fatalf("%s after checking Cursor in the tray:\n%s\nstderr:\n%s", cursorConfig, b, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The tray's menu is rebuilt with the client's new state: Cursor checked. Its items have
	// new ids, so read it again.
	for i := 0; bridgeServesClients; i++ {
		root, err := getLayout(menu)
		if err != nil {
			t.Fatal(err)
		}
		items = map[string]menuItem{}
		for _, m := range root.flatten() {
			items[m.label()] = m
		}
		if items["Cursor"].checked() && items["Quit"].id != 0 {
			break
		}
		if i == 100 {
			t.Fatalf("Cursor is not checked in the tray menu after connecting it: %v", keys(items))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Quit asks whether to stop the bridge too; "Quit, keep the bridge" quits the app only.
	beforeQuit := stderr.String()
	click(items["Quit"])
	qid := waitForTitledWindow(t, xdotool, cmd.Process.Pid, "Quit Patchbay", exited, stderr)
	// Its default answer, "Quit, keep the bridge", is the button at the bottom right.
	geo, err := exec.Command(xdotool, "getwindowgeometry", "--shell", qid).Output()
	if err != nil {
		t.Fatalf("xdotool getwindowgeometry: %v", err)
	}
	var width, height int
	for _, line := range strings.Fields(string(geo)) {
		if v, ok := strings.CutPrefix(line, "WIDTH="); ok {
			width, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(line, "HEIGHT="); ok {
			height, _ = strconv.Atoi(v)
		}
	}
	if out, err := exec.Command(xdotool, "mousemove", "--window", qid, strconv.Itoa(width-40), strconv.Itoa(height-22), "click", "1").CombinedOutput(); err != nil {
		t.Fatalf("xdotool click: %v\n%s", err, out)
	}
	select {
	case <-exited:
		if p.err != nil {
			t.Fatalf("patchbay exited with %v after Quit; stderr:\n%s", p.err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGQUIT) // dumps goroutines into stderr
		<-exited
		t.Fatalf("patchbay still running 20 s after Quit; stderr:\n%s", stderr.String())
	}
	testproc.AssertNoPanic(t, "patchbay", stderr.String())
	if r := testproc.Run(t, os.Args[0], env, "status"); r.Code != 0 {
		t.Errorf("the bridge stopped with the app although the user chose to keep it: %s", r.Stderr)
	}
	// Errors while running count; on the way out fyne.io/systray may log one for a menu
	// update that races its own connection close, which is harmless.
	if strings.Contains(beforeQuit, "systray error") {
		t.Errorf("the tray reported errors:\n%s", beforeQuit)
	}
}

func keys(m map[string]menuItem) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// envValue returns the value of variable k in env ("" if unset).
func envValue(env []string, k string) string {
	v := ""
	for _, kv := range env {
		if strings.HasPrefix(kv, k+"=") {
			v = kv[len(k)+1:]
		}
	}
	return v
}

// startBridge runs a bridge for env's PATCHBAY_HOME as the test's own child (so that patchbay
// finds it and starts none, which would outlive the test) and stops it when the test ends.
func startBridge(t *testing.T, env []string) {
	t.Helper()
	l, err := paths.FromHome(envValue(env, "PATCHBAY_HOME"))
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd := exec.Command(os.Args[0], "bridge")
	cmd.Env = env
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	c := bridge.NewClient(l.SocketPath())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("the bridge did not stop within 10 s of a shutdown request; stderr:\n%s", stderr.String())
		}
	})
	if err := bridge.WaitReady(context.Background(), c, 15*time.Second); err != nil {
		t.Fatalf("%v; bridge stderr:\n%s", err, stderr.String())
	}
}
