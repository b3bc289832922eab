//go:build linux || freebsd || openbsd || netbsd

package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/patchbay-mcp/patchbay/internal/atomicfile"
)

// autostartFile is the XDG autostart entry: $XDG_CONFIG_HOME/autostart (default
// ~/.config/autostart)/dev.patchbay.Patchbay.desktop.
func autostartFile() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the home folder: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", ID+".desktop"), nil
}

func autostartEnabled() bool {
	f, err := autostartFile()
	if err != nil {
		return false
	}
	_, err = os.Stat(f)
	return err == nil
}

// desktopEntry is the autostart .desktop file that runs exe.
func desktopEntry(exe string) string {
	quoted := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`).Replace(exe) + `"`
	return "[Desktop Entry]\nType=Application\nName=" + Name + "\nComment=Connects your AI clients to MCP servers\n" +
		"Exec=" + quoted + "\nIcon=" + ID + "\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
}

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
	return atomicfile.WriteFile(f, []byte(desktopEntry(exe)), 0o644)
}
