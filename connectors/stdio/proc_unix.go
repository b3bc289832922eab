//go:build !windows

package stdio

import (
	"os/exec"
	"syscall"
)

// newProcessGroup makes the child lead its own process group, so that stopping it also
// stops what it spawned (npx → sh → node) and a Ctrl-C in the bridge's terminal does not
// reach it.
func newProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// terminateGroup asks the child's whole process group to stop (SIGTERM).
func terminateGroup(cmd *exec.Cmd) error {
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
}

// killGroup kills the child's whole process group (SIGKILL). It is harmless once the group
// is gone.
func killGroup(cmd *exec.Cmd) error {
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
