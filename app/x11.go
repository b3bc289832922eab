//go:build !wayland

package app

// waylandBuild is false: Fyne is built for X11, so a Wayland session without XWayland's
// DISPLAY cannot show the app.
const waylandBuild = false
