// Package assets holds Patchbay's icons, embedded in the binary: the app icon and one tray icon
// per state. It does not import Fyne, so any package (and any non-GUI tool) may use the bytes;
// the app package wraps them in fyne.StaticResource.
//
// The PNGs are drawn by gen/main.go; after changing a shape or a colour there, run
// `go generate ./assets` and commit the PNGs it rewrites.
package assets

//go:generate go run gen/main.go

import _ "embed"

// AppIcon is the application icon, a 512×512 PNG: a navy rounded square with two jacks joined
// by an orange patch cable. FyneApp.toml names the same file for `fyne package`.
//
//go:embed icon.png
var AppIcon []byte

// AppIconName is the file name to give AppIcon as a resource.
const AppIconName = "icon.png"

// TrayState is what the tray icon shows at a glance.
type TrayState int

const (
	// TrayIdle: nothing connected, nothing wrong (grey glyph, no dot).
	TrayIdle TrayState = iota
	// TrayConnected: at least one connection is up and none needs attention (green dot).
	TrayConnected
	// TrayAttention: a connection needs the user, e.g. a token was refused (amber dot).
	TrayAttention
)

var (
	//go:embed tray-idle.png
	trayIdle []byte
	//go:embed tray-connected.png
	trayConnected []byte
	//go:embed tray-attention.png
	trayAttention []byte
)

// Tray returns the 64×64 PNG tray icon for state and its file name. An unknown state gets the
// idle icon. The returned slice is shared: callers must not modify it.
func Tray(state TrayState) (name string, png []byte) {
	switch state {
	case TrayConnected:
		return "tray-connected.png", trayConnected
	case TrayAttention:
		return "tray-attention.png", trayAttention
	default:
		return "tray-idle.png", trayIdle
	}
}

// String names the state for logs and tests.
func (s TrayState) String() string {
	switch s {
	case TrayIdle:
		return "idle"
	case TrayConnected:
		return "connected"
	case TrayAttention:
		return "attention"
	default:
		return "unknown"
	}
}
