//go:build wayland

package app

// waylandBuild is true when Fyne is built for Wayland (-tags wayland): then WAYLAND_DISPLAY
// alone is a usable desktop session.
const waylandBuild = true
