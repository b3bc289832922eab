//go:build !windows

package bridge

import (
	"os/exec"
	"syscall"
)

// detach puts the bridge in its own session: it outlives the shim or terminal that started
// it, and a signal sent to the starter's process group does not reach it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
