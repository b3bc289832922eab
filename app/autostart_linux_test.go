//go:build linux || freebsd || openbsd || netbsd

package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAutostartWritesAndRemovesTheXDGEntry(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	if autostartEnabled() {
		t.Fatal("start at login is on by default")
	}
	if err := setAutostart(true); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "autostart", ID+".desktop")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	if !strings.Contains(string(b), "Exec=\""+exe+"\"\n") || !strings.HasPrefix(string(b), "[Desktop Entry]\nType=Application\n") {
		t.Errorf("autostart entry:\n%s", b)
	}
	if !autostartEnabled() {
		t.Error("not enabled after enabling")
	}
	for range 2 { // idempotent
		if err := setAutostart(false); err != nil {
			t.Fatal(err)
		}
	}
	if autostartEnabled() {
		t.Error("still enabled after disabling")
	}
}

func TestDesktopEntryQuotesTheExecutable(t *testing.T) {
	got := autostartContent(`/opt/My Apps/patch"bay$`)
	if !strings.Contains(got, `Exec="/opt/My Apps/patch\"bay\$"`) {
		t.Errorf("Exec line not quoted per the desktop entry spec:\n%s", got)
	}
}
