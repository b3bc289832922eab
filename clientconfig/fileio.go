package clientconfig

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/patchbay-mcp/patchbay/internal/atomicfile"
)

// EditOptions control EditFile.
type EditOptions struct {
	// Create makes the file (and its folder) when it does not exist, as for a client that
	// is installed but has no config yet. Without it a missing file is an error.
	Create bool
	// BackupDir, when set, is where the file's original is copied before Patchbay's first
	// edit of it. An existing backup of the same file is never overwritten.
	BackupDir string
	// DryRun computes the result without writing anything (not even the backup).
	DryRun bool
}

// EditResult is what EditFile did.
type EditResult struct {
	// Path is the file written: the target when the config is a symlink.
	Path string `json:"path"`
	// Before and After are the content before and after (Before is nil for a new file).
	Before []byte `json:"-"`
	After  []byte `json:"-"`
	// Existed says the file existed before the edit.
	Existed bool `json:"existed"`
	// Changed says the content changed (with DryRun: would change).
	Changed bool `json:"changed"`
	// Backup is the backup of the original, when one exists.
	Backup string `json:"backup,omitempty"`
}

// maxRetries bounds how often EditFile redoes an edit because the file changed under it.
const maxRetries = 5

// testHookBeforeReread, when set by a test, runs after the transform and before the file is
// read again to check nobody changed it meanwhile.
var testHookBeforeReread func(path string)

// writeHook, when set by a test, runs just before the atomic write of target (the crash test
// exits there, after writing a temp file, to show the original survives).
var writeHook func(target string, data []byte)

// ErrChangedTooOften means another program kept rewriting the file while Patchbay tried to
// edit it; nothing was written.
var ErrChangedTooOften = errors.New("the file kept changing while Patchbay edited it; nothing was written, try again")

// EditFile is the only function that changes a client's config file. It reads path (following
// a symlink to its target, refusing folders and other non-regular files and read-only
// files), applies transform, and if the content changes: backs the original up once (see
// EditOptions.BackupDir), reads the file again just before replacing it and redoes the edit
// when another program changed it meanwhile (clients rewrite their own files), then replaces
// it atomically with its mode kept. A transform error (for example a *SyntaxError) leaves the
// file untouched and is returned with the file name filled in.
//
// EditFile holds no lock: callers serialise their own edits (Manager does); against other
// programs it relies on the re-read.
func EditFile(path string, transform func([]byte) ([]byte, error), opts EditOptions) (EditResult, error) {
	target, err := resolve(path)
	if err != nil {
		return EditResult{}, err
	}
	res := EditResult{Path: target}
	before, mode, existed, err := readRegular(target)
	if err != nil {
		return res, err
	}
	if !existed && !opts.Create {
		return res, fmt.Errorf("%s does not exist: %w", target, fs.ErrNotExist)
	}
	if existed && mode&0o222 == 0 {
		return res, fmt.Errorf("%s is read-only: make it writable (chmod u+w) and try again", target)
	}
	res.Existed, res.Before = existed, before
	for range maxRetries {
		after, err := transform(before)
		if err != nil {
			return res, withFile(err, target)
		}
		res.After = after
		// A missing file that would stay empty (say, a disconnect) is not created.
		res.Changed = !bytes.Equal(after, before) || (!existed && len(after) > 0)
		if !res.Changed || opts.DryRun {
			if existed && opts.BackupDir != "" {
				if b := backupPath(opts.BackupDir, target); fileExists(b) {
					res.Backup = b
				}
			}
			return res, nil
		}
		if testHookBeforeReread != nil {
			testHookBeforeReread(target)
		}
		now, nowMode, nowExisted, err := readRegular(target)
		if err != nil {
			return res, err
		}
		if nowExisted != existed || !bytes.Equal(now, before) {
			before, mode, existed = now, nowMode, nowExisted
			res.Existed, res.Before = existed, before
			continue
		}
		if existed && opts.BackupDir != "" {
			if res.Backup, err = backupOnce(opts.BackupDir, target, before); err != nil {
				return res, err
			}
		}
		if !existed {
			if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
				return res, fmt.Errorf("creating %s: %w", filepath.Dir(target), err)
			}
			// A new file may later hold other servers' secrets: keep it private.
			mode = 0o600
		}
		if writeHook != nil {
			writeHook(target, after)
		}
		if err := atomicfile.WriteFile(target, after, mode); err != nil {
			return res, err
		}
		return res, nil
	}
	return res, fmt.Errorf("%s: %w", target, ErrChangedTooOften)
}

// resolve follows a symlinked config to the file it points at, so that the link stays a
// link. A missing file resolves to itself.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", path, err)
	}
	fi, err := os.Lstat(abs)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return abs, nil
	}
	t, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("%s is a symlink Patchbay cannot follow (%v): fix or remove the link", abs, err)
	}
	return t, nil
}

// readRegular reads a regular file; a missing one is (nil, 0, false, nil).
func readRegular(path string) ([]byte, fs.FileMode, bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("reading %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		what := "not a regular file"
		if fi.IsDir() {
			what = "a folder"
		}
		return nil, 0, false, fmt.Errorf("%s is %s, not a config file: move it away and try again", path, what)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, false, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, fi.Mode().Perm(), true, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// backupPath names the one backup of file: its base name and a hash of its full path.
func backupPath(dir, file string) string {
	sum := sha256.Sum256([]byte(file))
	base := strings.TrimPrefix(filepath.Base(file), ".")
	return filepath.Join(dir, base+"."+hex.EncodeToString(sum[:6])+".orig")
}

// backupOnce keeps the original content of file in dir unless a backup already exists.
func backupOnce(dir, file string, content []byte) (string, error) {
	p := backupPath(dir, file)
	if fileExists(p) {
		return p, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := atomicfile.WriteFile(p, content, 0o600); err != nil {
		return "", fmt.Errorf("backing up %s: %w", file, err)
	}
	return p, nil
}

// hashOf is the fingerprint of content that Restore compares.
func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
