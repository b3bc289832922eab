// Package app is Patchbay's tray GUI, built with Fyne. It is a thin client of the bridge: it
// talks to it only through bridge.Client and never imports connectors or clientconfig.
//
// Each screen is a struct that holds its widgets (see mainScreen), built by a constructor that
// takes a fyne.App, so tests drive it with fyne.io/fyne/v2/test and no display. Goroutines
// touch widgets only through fyne.Do.
package app

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
)

// ID is the app's reverse-DNS identifier; FyneApp.toml carries the same one. Fyne keys its
// preferences and storage folder by it.
const ID = "dev.patchbay.Patchbay"

// Run starts the tray app and returns the process exit code once the user quits: 0 after a
// normal quit, 1 when there is no desktop session to show it in (the reason goes to stderr,
// without a panic). It must be called from the main goroutine, and at most once per process.
func Run() int {
	if msg := displayProblem(); msg != "" {
		fmt.Fprintln(os.Stderr, msg)
		return 1
	}
	a := fyneapp.NewWithID(ID)
	a.SetIcon(appIcon)
	newUI(a, trayReachable()).start()
	a.Run()
	return 0
}

// ui is the running GUI: the main window, and the tray menu when there is a tray.
type ui struct {
	app  fyne.App
	main *mainScreen
	tray *trayMenu // nil when the desktop has no tray we can use
}

// newUI builds the windows and, if withTray and the driver supports it, the tray menu.
func newUI(a fyne.App, withTray bool) *ui {
	u := &ui{app: a, main: newMainScreen(a)}
	if desk, ok := a.(desktop.App); ok && withTray {
		u.tray = newTrayMenu(u.showMain)
		u.tray.install(desk, u.main.window)
	}
	return u
}

// start shows the main window. With a tray, closing the window hides it and the app keeps
// running in the tray; without one, closing it quits.
func (u *ui) start() {
	w := u.main.window
	if u.tray != nil {
		w.SetCloseIntercept(w.Hide)
	} else {
		w.SetMaster()
	}
	w.Show()
}

// showMain brings the main window back, e.g. from the tray's "Open Patchbay".
func (u *ui) showMain() {
	u.main.window.Show()
	u.main.window.RequestFocus()
}
