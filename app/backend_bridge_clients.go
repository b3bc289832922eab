package app

import (
	"context"

	"github.com/patchbay-mcp/patchbay/bridge"
)

// The client-config and OAuth half of bridgeBackend. The GUI's own types mirror the bridge's
// field for field, so each converts with a plain type conversion that the compiler checks:
// a field added on one side and not the other fails the build here, not at run time.

func (b *bridgeBackend) Clients(ctx context.Context) ([]ClientStatus, error) {
	cs, err := b.c.Clients(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ClientStatus, len(cs))
	for i, c := range cs {
		out[i] = ClientStatus(c)
	}
	return out, nil
}

func (b *bridgeBackend) ChangeClient(ctx context.Context, id string, ch ClientChange) (*ClientChangeResult, error) {
	res, err := b.c.ChangeClient(ctx, id, bridge.ClientChange(ch))
	if err != nil {
		return nil, err
	}
	r := ClientChangeResult(*res)
	return &r, nil
}

func (b *bridgeBackend) SetClientAutoRepair(ctx context.Context, id string, on bool) error {
	return b.c.SetClientAutoRepair(ctx, id, on)
}

func (b *bridgeBackend) Authorize(ctx context.Context, name string, opts AuthorizeOptions, progress func(AuthorizeProgress)) error {
	return b.c.Authorize(ctx, name, bridge.AuthorizeOptions(opts), func(p bridge.AuthorizeProgress) {
		progress(AuthorizeProgress(p))
	})
}

func (b *bridgeBackend) Logout(ctx context.Context, name string) error { return b.c.Logout(ctx, name) }
