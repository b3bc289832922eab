// Package app is Patchbay's tray GUI, built with Fyne. It is a thin client of the bridge: it
// talks to it only through bridge.Client and never imports connectors or clientconfig.
//
// Each screen is a struct that holds its widgets (see mainScreen), built by a constructor that
// takes a fyne.App, so tests drive it with fyne.io/fyne/v2/test and no display. Goroutines
// touch widgets only through fyne.Do.
package app

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/patchbay-mcp/patchbay/internal/exepath"
	"github.com/patchbay-mcp/patchbay/internal/paths"
)

// ID is the app's reverse-DNS identifier; FyneApp.toml carries the same one. Fyne keys its
// preferences and storage folder by it.
const ID = "dev.patchbay.Patchbay"

// Name is the app's display name: the window title and the tray item's title.
const Name = "Patchbay"

// Run starts the tray app and returns the process exit code once the user quits: 0 after a
// normal quit, 1 when there is no desktop session to show it in (the reason goes to stderr,
// without a panic). It must be called from the main goroutine, and at most once per process.
func Run() int {
	if msg := displayProblem(); msg != "" {
		fmt.Fprintln(os.Stderr, msg)
		return 1
	}
	// Explicit metadata: otherwise a binary built with plain `go build` looks for FyneApp.toml
	// near its source at run time. The tray's title comes from Name.
	fyneapp.SetMetadata(fyne.AppMetadata{ID: ID, Name: Name, Build: 1, Icon: appIcon})
	a := fyneapp.NewWithID(ID)
	a.SetIcon(appIcon)
	stop := quitOnSignal(a)
	defer stop()
	if err := startUI(a, trayReachable()); err != nil {
		fmt.Fprintf(os.Stderr, "Patchbay cannot open a window on the display %s (%v). Start it from your desktop session; headless use: `patchbay help`.\n", os.Getenv("DISPLAY"), err)
		return 1
	}
	a.Run()
	return 0
}

// quitOnSignal quits a on SIGINT or SIGTERM. Fyne does the same, but only once its loop runs;
// this covers start-up too (the window maps before the loop starts), so that a stop request
// is always a clean quit with exit code 0. The returned func stops listening.
func quitOnSignal(a fyne.App) (stop func()) {
	sig := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
			fyne.Do(a.Quit)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}

// startUI builds the windows, shows the main one and starts following the bridge (starting
// it if none runs). GLFW reports a display it cannot use (say, one that refuses us for want of
// X authorisation) by panicking with a *glfw.Error when the first window is made; startUI
// turns that into an error. Any other panic goes on.
func startUI(a fyne.App, withTray bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if err = displayError(r); err == nil {
				panic(r)
			}
		}
	}()
	l, err := paths.Default()
	if err != nil {
		return err
	}
	// The bridge writes its own executable into client configs, so it must be the lean
	// patchbay next to this tray when there is one; "" (this executable) otherwise.
	exe, _ := exepath.Headless()
	u := newUI(a, newBridgeBackend(l, exe), withTray)
	u.start()
	ctx, cancel := context.WithCancel(context.Background())
	a.Lifecycle().SetOnStopped(cancel)
	u.ctl.run(ctx, true)
	return nil
}

// ui is the running GUI: the controller, the main window, the Inspector, and the tray menu
// when there is a tray.
type ui struct {
	app       fyne.App
	ctl       *controller
	main      *mainScreen
	inspector *inspector
	tray      *trayMenu // nil when the desktop has no tray we can use
	quit      *quitPrompt
}

// newUI builds the windows and, if withTray and the driver supports it, the tray menu. It
// starts nothing: call ctl.run (or, in tests, ctl.refresh).
func newUI(a fyne.App, be Backend, withTray bool) *ui {
	u := &ui{app: a, ctl: newController(a, be)}
	u.main = newMainScreen(u)
	u.inspector = newInspector(u)
	if desk, ok := a.(desktop.App); ok && withTray {
		u.tray = newTrayMenu(u)
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

// showInspector opens the Inspector, on connection conn's tools if conn is not "".
func (u *ui) showInspector(conn string) { u.inspector.show(conn) }
