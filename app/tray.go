package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/patchbay-mcp/patchbay/assets"
	"github.com/patchbay-mcp/patchbay/bridge"
)

// trayMenu is the tray icon and its menu: a status line per connection, the add actions, a
// Clients submenu with a check per installed client, Open Patchbay, Inspector and Quit. The
// icon shows the worst state. Its methods must run on Fyne's goroutine.
type trayMenu struct {
	u     *ui
	desk  desktop.App
	menu  *fyne.Menu
	state assets.TrayState
	sig   string // the labels and checks last handed to the tray, to skip identical updates
}

// newTrayMenu builds the menu for u's current state.
func newTrayMenu(u *ui) *trayMenu {
	t := &trayMenu{u: u, state: assets.TrayIdle}
	t.menu = fyne.NewMenu(Name)
	t.build()
	return t
}

// install puts the icon and menu in the system tray, and lets a click on the icon show w
// where the desktop supports it.
//
// Call it only when trayReachable reports true: on Linux without a session bus Fyne's tray
// fails to start, and quitting the app afterwards panics (fyne-io/fyne#6403).
func (t *trayMenu) install(desk desktop.App, w fyne.Window) {
	t.desk = desk
	t.state = trayState(t.u.ctl)
	desk.SetSystemTrayIcon(trayIcon(t.state))
	desk.SetSystemTrayMenu(t.menu)
	desk.SetSystemTrayWindow(w)
	t.sig = menuSignature(t.menu)
	t.u.ctl.onChange(t.update)
}

// trayState is the worst state of the connections: attention when the bridge is down or a
// connection failed or needs signing in; connected when there are connections; else idle.
func trayState(c *controller) assets.TrayState {
	if !c.online {
		if c.status == nil {
			return assets.TrayIdle
		}
		return assets.TrayAttention
	}
	conns := c.connections()
	if len(conns) == 0 {
		return assets.TrayIdle
	}
	for _, cs := range conns {
		if cs.State == bridge.StateError || cs.State == bridge.StateNeedsAuth {
			return assets.TrayAttention
		}
	}
	for _, cl := range c.clients {
		if cl.State == ClientDrifted {
			return assets.TrayAttention
		}
	}
	return assets.TrayConnected
}

// update rebuilds the menu and icon from the controller; it hands them to the tray only when
// something visible changed.
func (t *trayMenu) update() {
	t.build()
	if s := trayState(t.u.ctl); s != t.state {
		t.state = s
		t.desk.SetSystemTrayIcon(trayIcon(s))
	}
	if sig := menuSignature(t.menu); sig != t.sig {
		t.sig = sig
		t.desk.SetSystemTrayMenu(t.menu)
	}
}

// build fills t.menu.Items.
func (t *trayMenu) build() {
	u, c := t.u, t.u.ctl
	var items []*fyne.MenuItem
	status := func(label string) {
		it := fyne.NewMenuItem(label, nil)
		it.Disabled = true
		items = append(items, it)
	}
	switch {
	case !c.online && c.status == nil && c.offlineWhy == nil:
		status("Connecting to the bridge…")
	case !c.online:
		status("Bridge not running")
		items = append(items, fyne.NewMenuItem("Start the bridge", func() { c.startBridge(nil) }))
	case len(c.connections()) == 0:
		status("No connections yet")
	default:
		for _, cs := range c.connections() {
			text, _ := stateText(cs.State)
			if i := strings.Index(text, " ("); i > 0 {
				text = text[:i]
			}
			status(cs.Name + ": " + text)
		}
	}
	items = append(items, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Connect Notion…", func() { u.showMain(); u.main.showConnectNotion() }),
		fyne.NewMenuItem("Add Notion token…", func() { u.showMain(); u.main.showAddToken("") }),
		fyne.NewMenuItem("Add server…", func() { u.showMain(); u.main.showAddServer() }),
		fyne.NewMenuItemSeparator())
	clients := fyne.NewMenuItem("Clients", nil)
	clients.ChildMenu = fyne.NewMenu("Clients", t.clientItems()...)
	items = append(items, clients, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Open Patchbay", u.showMain),
		fyne.NewMenuItem("Inspector", func() { u.showInspector("") }),
		fyne.NewMenuItemSeparator())
	quit := fyne.NewMenuItem("Quit", u.askQuit)
	quit.IsQuit = true
	items = append(items, quit)
	t.menu.Items = items
}

// clientItems is the Clients submenu: a check per installed client. Checking one writes its
// config for all connections; unchecking removes Patchbay's entries.
func (t *trayMenu) clientItems() []*fyne.MenuItem {
	c := t.u.ctl
	var items []*fyne.MenuItem
	for _, cl := range c.clients {
		if cl.State == ClientNotInstalled || cl.Project != "" {
			continue
		}
		cl := cl
		label := cl.Name
		switch cl.State {
		case ClientDrifted:
			label += " (drifted)"
		case ClientError:
			label += " (error)"
		}
		it := fyne.NewMenuItem(label, func() { t.u.toggleClient(cl) })
		it.Checked = cl.State == ClientConnected || cl.State == ClientDrifted
		items = append(items, it)
	}
	if len(items) == 0 {
		it := fyne.NewMenuItem("No AI clients found", nil)
		if !c.online {
			it.Label = "Bridge not running"
		}
		it.Disabled = true
		items = append(items, it)
	}
	return items
}

// menuSignature is what the tray shows of m: labels, checks and enabled states, nested.
func menuSignature(m *fyne.Menu) string {
	var b strings.Builder
	for _, it := range m.Items {
		b.WriteString(it.Label)
		if it.Checked {
			b.WriteString("[x]")
		}
		if it.Disabled {
			b.WriteString("[-]")
		}
		if it.ChildMenu != nil {
			b.WriteString("{" + menuSignature(it.ChildMenu) + "}")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// toggleClient connects cl to all connections, or disconnects it when it is connected. From
// the tray there is no preview; the Clients tab offers one.
func (u *ui) toggleClient(cl ClientStatus) {
	action := ActionConnect
	if cl.State == ClientConnected || cl.State == ClientDrifted {
		action = ActionDisconnect
	}
	u.ctl.do(func(ctx context.Context) error {
		_, err := u.ctl.be.ChangeClient(ctx, cl.ID, clientChange(cl, action))
		return err
	}, func(err error) {
		if err != nil {
			u.ctl.notify(actionTitle(action)+" "+cl.Name, err.Error())
		}
	})
}
