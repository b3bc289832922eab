package clientconfig

import (
	"fmt"
	"os"

	"github.com/patchbay-mcp/patchbay/internal/atomicfile"
)

// Restore puts back the file as it was before Patchbay's first edit (deleting it when
// Patchbay created it), but only when nobody changed it since Patchbay last wrote it;
// otherwise it explains and does nothing. Afterwards Patchbay forgets the file.
func (m *Manager) Restore(t Target, dryRun bool) (ChangeResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, file, _, err := m.locate(t)
	if err != nil {
		return ChangeResult{}, err
	}
	res := ChangeResult{Client: c.ID, File: file, DryRun: dryRun}
	target, err := resolve(file)
	if err != nil {
		return res, err
	}
	res.File = target
	rec, err := loadRecord(m.Layout.ConfigDir)
	if err != nil {
		return res, err
	}
	fr := rec.Files[target]
	if fr == nil || (fr.Backup == "" && !fr.Created) {
		return res, fmt.Errorf("patchbay has no backup of %s: it never edited it, or it was already restored", target)
	}
	now, mode, exists, err := readRegular(target)
	if err != nil {
		return res, err
	}
	if !exists || hashOf(now) != fr.Written {
		return res, fmt.Errorf("%s changed since Patchbay last wrote it, so restoring the backup would lose those changes; nothing was restored. The backup is %s: compare and copy by hand, or use `patchbay clients disconnect %s` to remove only Patchbay's entries", target, orNone(fr.Backup), c.ID)
	}
	var orig []byte
	if !fr.Created {
		if orig, err = os.ReadFile(fr.Backup); err != nil {
			return res, fmt.Errorf("reading backup %s: %w", fr.Backup, err)
		}
	}
	res.Changed, res.Backup = true, fr.Backup
	res.Diff = unifiedDiff(target, now, orig)
	if dryRun {
		return res, nil
	}
	if fr.Created {
		if err := os.Remove(target); err != nil {
			return res, fmt.Errorf("removing %s: %w", target, err)
		}
	} else if err := atomicfile.WriteFile(target, orig, mode); err != nil {
		return res, err
	}
	delete(rec.Files, target)
	if err := m.saveRecord(rec); err != nil {
		return res, err
	}
	if fr.Backup != "" {
		os.Remove(fr.Backup)
	}
	return res, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none: Patchbay created the file)"
	}
	return s
}
