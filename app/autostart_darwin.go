package app

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
)

// autostartFile is the LaunchAgent: ~/Library/LaunchAgents/dev.patchbay.Patchbay.plist.
func autostartFile() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the home folder: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", ID+".plist"), nil
}

// autostartContent is the LaunchAgent plist that runs exe at login.
func autostartContent(exe string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
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
}
