// Package exepath names Patchbay's two executables and finds one next to the other.
//
// Patchbay ships as two binaries in one folder: the lean, pure-Go `patchbay` (the CLI, the
// bridge and the shim every AI client launches, so it must start fast and stay small in
// memory) and `patchbay-tray` (the Fyne tray app, which links cgo, GL and X11). `patchbay`
// with no arguments runs the tray next to it; the tray starts the bridge with the `patchbay`
// next to it, so that the client configs the bridge writes launch the lean shim.
package exepath

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Lean and Tray are the base names of the two executables, without ".exe".
const (
	Lean = "patchbay"
	Tray = "patchbay-tray"
)

// Self returns this process's executable with symlinks resolved: the real file, whose
// folder holds its sibling (a symlink such as /usr/local/bin/patchbay may live elsewhere).
func Self() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding this executable: %w", err)
	}
	real, err := filepath.EvalSymlinks(exe)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", exe, err)
	}
	return real, nil
}

// Sibling returns the path of executable name (Lean or Tray) in the folder of this
// process's resolved executable. When it is not there, it returns the path where it looked
// ("" if this executable cannot be found) and an error.
func Sibling(name string) (string, error) {
	self, err := Self()
	if err != nil {
		return "", err
	}
	return siblingOf(self, name)
}

// siblingOf returns the path of name (plus ".exe" on Windows) next to self, and an error
// unless a regular file is there.
func siblingOf(self, name string) (string, error) {
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	p := filepath.Join(filepath.Dir(self), name)
	fi, err := os.Stat(p)
	if err != nil {
		return p, fmt.Errorf("looking for %s next to %s: %w", name, self, err)
	}
	if !fi.Mode().IsRegular() {
		return p, fmt.Errorf("looking for %s next to %s: %s is not a file", name, self, p)
	}
	return p, nil
}

// Headless returns the executable that runs the bridge and the shims: the lean `patchbay`
// next to this one when it is there, else this executable itself (the tray binary also
// understands every verb, as a fallback for a lone binary or a test binary). It is the one
// rule for "which patchbay does an AI client launch": a bridge writes its own executable
// into client configs, so a bridge started from here must be the lean one.
func Headless() (string, error) {
	self, err := Self()
	if err != nil {
		return "", err
	}
	return headlessFor(self), nil
}

// headlessFor is Headless for the executable self.
func headlessFor(self string) string {
	if lean, err := siblingOf(self, Lean); err == nil {
		return lean
	}
	return self
}
