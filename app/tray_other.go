//go:build !(linux || freebsd || openbsd || netbsd)

package app

// trayReachable reports whether Fyne's tray can work here: on Windows and macOS it always can.
func trayReachable() bool { return true }
