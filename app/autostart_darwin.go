package app

import (
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"

	"github.com/patchbay-mcp/patchbay/internal/atomicfile"
)

// autostartFile is the LaunchAgent: ~/Library/LaunchAgents/dev.patchbay.Patchbay.plist.
func autostartFile() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the home folder: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", ID+".plist"), nil
}

func autostartEnabled() bool {
	f, err := autostartFile()
	if err != nil {
		return false
	}
	_, err = os.Stat(f)
	return err == nil
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
	plist := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key><string>` + ID + `</string>
	<key>ProgramArguments</key><array><string>` + html.EscapeString(exe) + `</string></array>
	<key>RunAtLoad</key><true/>
	<key>ProcessType</key><string>Interactive</string>
</dict>
</plist>
`
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(f), err)
	}
	return atomicfile.WriteFile(f, []byte(plist), 0o644)
}
