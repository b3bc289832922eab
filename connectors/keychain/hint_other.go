//go:build !linux

package keychain

import "runtime"

func hint() string {
	switch runtime.GOOS {
	case "darwin":
		return "Open Keychain Access, unlock the login keychain, and try again"
	case "windows":
		return "Check that the Windows Credential Manager service is running, and try again"
	}
	return "This system has no keychain Patchbay can use"
}

func findSessionBus() {}
