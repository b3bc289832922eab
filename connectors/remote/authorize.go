package remote

import (
	"context"
	"errors"
	"fmt"

	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote/oauth"
)

// Authorize runs the OAuth login of connection name, whose settings are s, and returns once
// its tokens are in the keychain, or with an error (nothing half-stored), or when ctx is
// done (the GUI's Cancel). openBrowser opens the authorization URL (OpenBrowser in
// production; the CLI also prints the URL); it may be nil. After it returns nil, call
// Reload on the connection's Connector.
//
// fresh registers a new OAuth client even if one is stored: `patchbay reconnect` uses it,
// so that a registration the server silently dropped cannot block logging in again.
func Authorize(ctx context.Context, name string, s Settings, store keychain.Store, openBrowser func(url string) error, hooks connectors.Hooks, fresh bool) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.Auth != AuthOAuth {
		return fmt.Errorf("%s uses auth %q: %w", name, s.Auth, ErrNotOAuth)
	}
	cfg := s.OAuthConfig(name)
	cfg.Store, cfg.Hooks, cfg.FreshRegistration = store, hooks, fresh
	return oauth.Authorize(ctx, cfg, openBrowser)
}

// Logout revokes connection name's OAuth grant if the server supports revocation, and
// deletes its tokens and registration from the keychain. With a header auth it deletes the
// header secret. It is idempotent.
func Logout(ctx context.Context, name string, s Settings, store keychain.Store, hooks connectors.Hooks) error {
	switch s.Auth {
	case AuthOAuth:
		cfg := s.OAuthConfig(name)
		cfg.Store, cfg.Hooks = store, hooks
		return oauth.Logout(ctx, cfg)
	case AuthHeader:
		if err := store.Delete(ctx, keychain.Key(name, ItemHeader)); err != nil && !errors.Is(err, keychain.ErrNotFound) {
			return fmt.Errorf("deleting %s's header secret: %w", name, err)
		}
	}
	return nil
}

// SetHeaderSecret stores the value of connection name's auth header in the keychain.
func SetHeaderSecret(ctx context.Context, store keychain.Store, name, value string) error {
	if value == "" {
		return fmt.Errorf("the header secret for %s is empty", name)
	}
	if err := store.Set(ctx, keychain.Key(name, ItemHeader), value); err != nil {
		return fmt.Errorf("saving %s's header secret: %w", name, err)
	}
	return nil
}
