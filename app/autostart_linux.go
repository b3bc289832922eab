//go:build linux || freebsd || openbsd || netbsd

package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// autostartContent is the autostart .desktop file that runs exe.
func autostartContent(exe string) string {
	quoted := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`).Replace(exe) + `"`
	return "[Desktop Entry]\nType=Application\nName=" + Name + "\nComment=Connects your AI clients to MCP servers\n" +
		"Exec=" + quoted + "\nIcon=" + ID + "\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
}
