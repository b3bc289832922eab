//go:build windows

package stdio

import (
	"os/exec"
	"syscall"
)

// newProcessGroup starts the child in a new process group, so that a console Ctrl-C aimed
// at the bridge does not reach it.
//
// TODO: put the child in a job object so that killGroup also ends its descendants; today
// only the direct child is killed on Windows.
func newProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// terminateGroup stops the child. Windows has no SIGTERM for console programs that we can
// send to another group, so this kills it.
func terminateGroup(cmd *exec.Cmd) error { return cmd.Process.Kill() }

// killGroup kills the child.
func killGroup(cmd *exec.Cmd) error { return cmd.Process.Kill() }
