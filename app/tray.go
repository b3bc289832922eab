package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/patchbay-mcp/patchbay/assets"
)

// trayMenu is the tray icon's menu: a disabled summary line, "Open Patchbay", and the "Quit"
// that Fyne appends. Its methods must run on Fyne's goroutine (from a callback or fyne.Do).
type trayMenu struct {
	desk    desktop.App
	menu    *fyne.Menu
	summary *fyne.MenuItem // disabled; says how things stand, e.g. "No connections yet"
	open    *fyne.MenuItem
	state   assets.TrayState
}

// newTrayMenu builds the menu; open runs when the user picks "Open Patchbay".
func newTrayMenu(open func()) *trayMenu {
	summary := fyne.NewMenuItem("No connections yet", nil)
	summary.Disabled = true
	openItem := fyne.NewMenuItem("Open Patchbay", open)
	return &trayMenu{
		menu:    fyne.NewMenu(Name, summary, fyne.NewMenuItemSeparator(), openItem),
		summary: summary,
		open:    openItem,
		state:   assets.TrayIdle,
	}
}

// install puts the icon and menu in the system tray, and lets a click on the icon show w
// where the desktop supports it. Fyne appends a separator and "Quit" to the menu.
//
// Call it only when trayReachable reports true: on Linux without a session bus Fyne's tray
// fails to start, and quitting the app afterwards panics (fyne-io/fyne#6403).
func (t *trayMenu) install(desk desktop.App, w fyne.Window) {
	t.desk = desk
	desk.SetSystemTrayIcon(trayIcon(t.state))
	desk.SetSystemTrayMenu(t.menu)
	desk.SetSystemTrayWindow(w)
}

// setStatus shows state in the icon and summary in the menu's first line. It is idempotent.
func (t *trayMenu) setStatus(state assets.TrayState, summary string) {
	if state != t.state {
		t.state = state
		t.desk.SetSystemTrayIcon(trayIcon(state))
	}
	if summary != t.summary.Label {
		t.summary.Label = summary
		t.desk.SetSystemTrayMenu(t.menu)
	}
}
