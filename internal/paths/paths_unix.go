//go:build !windows

package paths

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

func osDefault(home string) Layout {
	if runtime.GOOS == "darwin" {
		cache := filepath.Join(home, "Library", "Caches", "Patchbay")
		return Layout{
			ConfigDir:  filepath.Join(home, "Library", "Application Support", "Patchbay"),
			CacheDir:   cache,
			RuntimeDir: filepath.Join(cache, "run"),
		}
	}
	cache := filepath.Join(home, ".cache", "patchbay")
	l := Layout{
		ConfigDir:  filepath.Join(home, ".config", "patchbay"),
		CacheDir:   cache,
		RuntimeDir: filepath.Join(cache, "run"),
	}
	// /run/user/<uid> is the per-user runtime folder systemd-logind makes; it is what
	// XDG_RUNTIME_DIR points at, found here without that variable.
	if run := fmt.Sprintf("/run/user/%d", os.Getuid()); ownedByMe(run) {
		l.RuntimeDir = filepath.Join(run, "patchbay")
	}
	return l
}

func pipeName(Layout) string { return "" }

func shortTempDir() string { return "/tmp" }

func ownedByMe(dir string) bool {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("checking %s: %w", dir, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%s is not a folder owned by you: remove it and try again", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("making %s private: %w", dir, err)
		}
	}
	return nil
}
