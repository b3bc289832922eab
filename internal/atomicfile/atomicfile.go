// Package atomicfile replaces files so that a reader, or a crash, sees either the old content
// or the new, never a mix or an empty file.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// beforeRename, when set by a test, runs after the temp file is written and synced and
// before it replaces the target. Tests use it to kill the process at that point.
var beforeRename func(tmp string)

// SetCrashHookForTest makes every later WriteFile call f between writing its temp file and
// renaming it over the target. It exists so that tests of packages built on WriteFile can
// kill a real process at the worst moment; production code never calls it.
func SetCrashHookForTest(f func(tmp string)) { beforeRename = f }

// WriteFile writes data to path atomically: it writes a temp file in the same folder, syncs
// it, sets perm on it, renames it over path and syncs the folder. If anything fails before
// the rename, path is untouched and the temp file is removed. perm is applied exactly (the
// umask does not narrow it); callers that edit a user's file pass its current mode.
//
// path must not be a symlink to be followed: the link itself is replaced. Callers that edit
// a symlinked file resolve it first.
func WriteFile(path string, data []byte, perm fs.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating temp file for %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	if err = f.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("setting mode of %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if beforeRename != nil {
		beforeRename(tmp)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes the rename durable. Windows cannot open a folder for syncing, and its rename
// is already durable through the journal, so it is skipped there.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("syncing folder %s: %w", dir, err)
	}
	return nil
}
