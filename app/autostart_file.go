//go:build darwin || linux || freebsd || openbsd || netbsd

package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/patchbay-mcp/patchbay/internal/atomicfile"
)

// On these systems starting at login is a file: an XDG autostart entry or a macOS
// LaunchAgent. Each OS's file says where it goes (autostartFile) and what it holds
// (autostartContent); turning it on or off is the same everywhere.

func autostartEnabled() bool {
	f, err := autostartFile()
	if err != nil {
		return false
	}
	_, err = os.Stat(f)
	return err == nil
}

// setAutostart writes the file (atomically) or removes it; removing a missing one is fine.
func setAutostart(on bool) error {
	f, err := autostartFile()
	if err != nil {
		return err
	}
	if !on {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", f, err)
		}
		return nil
	}
	exe, err := autostartExe()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(f), err)
	}
	return atomicfile.WriteFile(f, []byte(autostartContent(exe)), 0o644)
}
