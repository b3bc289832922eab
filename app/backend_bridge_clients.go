package app

import (
	"context"
	"errors"
)

// errNotInBridgeYet stands in for the bridge's client-config and OAuth endpoints until they
// land in bridge.Client.
var errNotInBridgeYet = errors.New("this bridge does not offer this yet: update Patchbay")

func (b *bridgeBackend) Clients(ctx context.Context) ([]ClientStatus, error) {
	return nil, errNotInBridgeYet
}

func (b *bridgeBackend) ChangeClient(ctx context.Context, id string, ch ClientChange) (*ClientChangeResult, error) {
	return nil, errNotInBridgeYet
}

func (b *bridgeBackend) SetClientAutoRepair(ctx context.Context, id string, on bool) error {
	return errNotInBridgeYet
}

func (b *bridgeBackend) Authorize(ctx context.Context, name string, opts AuthorizeOptions, progress func(AuthorizeProgress)) error {
	return errNotInBridgeYet
}

func (b *bridgeBackend) Logout(ctx context.Context, name string) error { return errNotInBridgeYet }
