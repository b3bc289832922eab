package app

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// runKey is the per-user Run key; the value Patchbay holds the quoted executable path.
const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

func autostartEnabled() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	_, _, err = k.GetStringValue(Name)
	return err == nil
}

func setAutostart(on bool) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("opening HKCU\\%s: %w", runKey, err)
	}
	defer k.Close()
	if !on {
		if err := k.DeleteValue(Name); err != nil && !errors.Is(err, registry.ErrNotExist) {
			return fmt.Errorf("removing the Patchbay login item: %w", err)
		}
		return nil
	}
	exe, err := autostartExe()
	if err != nil {
		return err
	}
	if err := k.SetStringValue(Name, `"`+exe+`"`); err != nil {
		return fmt.Errorf("writing the Patchbay login item: %w", err)
	}
	return nil
}
