package remote

import (
	"context"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// sseTransport wraps go-sdk's SSEClientTransport, whose event stream lives as long as the
// context given to Connect: the bridge connects with a timeout, which would kill the session
// when it expired. Here Connect's context bounds only the connecting; the stream lives until
// the connection is closed.
type sseTransport struct {
	inner *mcp.SSEClientTransport
}

func (t *sseTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	streamCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, cancel) // give up if ctx ends while connecting
	conn, err := t.inner.Connect(streamCtx)
	if !stop() {
		if conn != nil {
			conn.Close()
		}
		cancel()
		return nil, errors.Join(ctx.Err(), err)
	}
	if err != nil {
		cancel()
		return nil, err
	}
	return &sseConn{Connection: conn, cancel: cancel}, nil
}

// sseConn ends the event stream when closed.
type sseConn struct {
	mcp.Connection
	cancel context.CancelFunc
}

func (c *sseConn) Close() error {
	err := c.Connection.Close()
	c.cancel()
	return err
}
