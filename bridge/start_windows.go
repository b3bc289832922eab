//go:build windows

package bridge

import (
	"os/exec"
	"syscall"
)

// detach starts the bridge with no console and in its own process group, so it outlives the
// shim or terminal that started it and Ctrl-C there does not reach it.
func detach(cmd *exec.Cmd) {
	const detachedProcess = 0x00000008
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP | detachedProcess, HideWindow: true}
}
