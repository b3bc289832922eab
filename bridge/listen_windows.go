//go:build windows

package bridge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/Microsoft/go-winio"
)

// On Windows the bridge listens on a named pipe (paths.Layout.SocketPath returns
// \\.\pipe\patchbay-<user>[-<hash>]) through go-winio rather than on an AF_UNIX socket:
// a pipe's security descriptor can name exactly its owner, a pipe cannot be left stale by a
// crash, and creating the first instance fails while another bridge holds the name, which
// gives the single-bridge rule for free. AF_UNIX on Windows has none of the three.

// pipeSDDL grants full access to the pipe's owner (the user running the bridge) and no one
// else; "P" blocks inherited entries.
const pipeSDDL = "D:P(A;;GA;;;OW)"

// Listen makes this process the bridge at the named pipe socket. A second bridge gets
// ErrAlreadyRunning.
func Listen(socket string) (net.Listener, error) {
	ln, err := winio.ListenPipe(socket, &winio.PipeConfig{SecurityDescriptor: pipeSDDL, InputBufferSize: 64 << 10, OutputBufferSize: 64 << 10})
	if err != nil {
		if errors.Is(err, os.ErrExist) || errors.Is(err, os.ErrPermission) {
			return nil, ErrAlreadyRunning
		}
		return nil, fmt.Errorf("listening on %s: %w", socket, err)
	}
	return ln, nil
}

// dialSocket connects to the bridge's pipe.
func dialSocket(ctx context.Context, socket string) (net.Conn, error) {
	c, err := winio.DialPipeContext(ctx, socket)
	if err != nil && errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotRunning
	}
	return c, err
}
