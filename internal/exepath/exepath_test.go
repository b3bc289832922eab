package exepath

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// touch makes an executable file at dir/name (+".exe" on Windows) and returns its path.
func touch(t *testing.T, dir, name string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSiblingOf(t *testing.T) {
	dir := t.TempDir()
	self := touch(t, dir, Lean)
	want := filepath.Join(dir, Tray)
	if runtime.GOOS == "windows" {
		want += ".exe"
	}
	if got, err := siblingOf(self, Tray); err == nil || got != want || !strings.Contains(err.Error(), self) {
		t.Fatalf("siblingOf without a tray = %q, %v; want %q and an error naming %s", got, err, want, self)
	}
	if err := os.Mkdir(filepath.Join(dir, Tray), 0o755); err != nil && runtime.GOOS != "windows" {
		t.Fatal(err)
	}
	if _, err := siblingOf(self, Tray); err == nil && runtime.GOOS != "windows" {
		t.Fatal("siblingOf accepted a folder named patchbay-tray")
	}
	os.Remove(filepath.Join(dir, Tray))
	tray := touch(t, dir, Tray)
	if got, err := siblingOf(self, Tray); err != nil || got != tray {
		t.Fatalf("siblingOf = %q, %v; want %q", got, err, tray)
	}
}

func TestHeadlessPrefersTheLeanSibling(t *testing.T) {
	dir := t.TempDir()
	tray := touch(t, dir, Tray)
	if got := headlessFor(tray); got != tray {
		t.Fatalf("headlessFor a lone tray = %q; want the tray itself %q", got, tray)
	}
	lean := touch(t, dir, Lean)
	if got := headlessFor(tray); got != lean {
		t.Fatalf("headlessFor a tray with patchbay next to it = %q; want %q", got, lean)
	}
}

// TestSelfIsARealFile: Self finds the test binary itself, a regular file (the root package's
// tests run patchbay through a symlink).
func TestSelfIsARealFile(t *testing.T) {
	self, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(self)
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("Self() = %q (%v, %v); want a regular file", self, fi, err)
	}
	if got := headlessFor(self); got != self {
		t.Fatalf("Headless in a folder without patchbay = %q; want %q", got, self)
	}
}
