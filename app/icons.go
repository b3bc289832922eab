package app

import (
	"fyne.io/fyne/v2"

	"github.com/patchbay-mcp/patchbay/assets"
)

// appIcon is the window and app icon.
var appIcon = fyne.NewStaticResource(assets.AppIconName, assets.AppIcon)

// trayIcons holds one resource per tray state, made once so that switching state does not
// copy the PNG.
var trayIcons = map[assets.TrayState]fyne.Resource{}

func init() {
	for _, s := range []assets.TrayState{assets.TrayIdle, assets.TrayConnected, assets.TrayAttention} {
		name, data := assets.Tray(s)
		trayIcons[s] = fyne.NewStaticResource(name, data)
	}
}

// trayIcon returns the tray icon resource for state (the idle one for an unknown state).
func trayIcon(state assets.TrayState) fyne.Resource {
	if r, ok := trayIcons[state]; ok {
		return r
	}
	return trayIcons[assets.TrayIdle]
}
