//go:build windows

package paths

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func osDefault(home string) Layout {
	// APPDATA is in the short list of variables that MCP clients pass on Windows.
	roaming := os.Getenv("APPDATA")
	if roaming == "" {
		roaming = filepath.Join(home, "AppData", "Roaming")
	}
	local := os.Getenv("LOCALAPPDATA")
	if local == "" {
		local = filepath.Join(home, "AppData", "Local")
	}
	cache := filepath.Join(local, "Patchbay")
	return Layout{
		ConfigDir:  filepath.Join(roaming, "Patchbay"),
		CacheDir:   cache,
		RuntimeDir: filepath.Join(cache, "run"),
	}
}

// pipeName is the bridge's named pipe: one per user, and one per PATCHBAY_HOME.
func pipeName(l Layout) string {
	user := strings.ToLower(os.Getenv("USERNAME"))
	name := `\\.\pipe\patchbay-` + user
	if l.Home != "" {
		sum := sha256.Sum256([]byte(strings.ToLower(l.Home)))
		name += "-" + hex.EncodeToString(sum[:6])
	}
	return name
}

func shortTempDir() string { return os.TempDir() }

func ensurePrivateDir(dir string) error {
	if strings.HasPrefix(dir, `\\.\pipe`) {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	return nil
}
