// Package app is Patchbay's tray GUI, built with Fyne. It is a thin client of the bridge: it
// talks to it only through bridge.Client and never imports connectors or clientconfig.
package app

import (
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

// Run starts the tray app and returns the process exit code when it quits.
func Run() int {
	a := fyneapp.NewWithID("dev.patchbay.app")
	w := a.NewWindow("Patchbay")
	w.SetContent(widget.NewLabel("No connections yet"))
	w.ShowAndRun()
	return 0
}
