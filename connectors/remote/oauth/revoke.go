package oauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/patchbay-mcp/patchbay/connectors/keychain"
)

// Logout revokes the connection's grant at the authorization server when it offers RFC 7009
// revocation, then deletes the tokens and the client registration from the keychain. A
// failed revocation is logged and does not stop the deletion: the login is forgotten either
// way. It is idempotent: logging out a connection with nothing stored is not an error.
func Logout(ctx context.Context, cfg Config) error {
	tok, terr := loadJSON[tokenRecord](ctx, cfg.Store, key(cfg.Name, ItemToken))
	cl, cerr := loadJSON[clientRecord](ctx, cfg.Store, key(cfg.Name, ItemClient))
	for _, err := range []error{terr, cerr} {
		var damaged *damagedError
		if err != nil && !errors.Is(err, keychain.ErrNotFound) && !errors.As(err, &damaged) {
			return fmt.Errorf("reading %s's login: %w", cfg.label(), err)
		}
	}
	if tok != nil && cl != nil {
		switch {
		case cl.RevocationURL == "":
			cfg.logf("info", "logout: the server offers no revocation; forgetting the tokens only")
		default:
			t := tok.RefreshToken
			hint := "refresh_token"
			if t == "" {
				t, hint = tok.AccessToken, "access_token"
			}
			if err := revoke(ctx, cfg, cl, t, hint); err != nil {
				cfg.logf("warn", "logout: revocation failed (%v); forgetting the tokens anyway", err)
			} else {
				cfg.logf("info", "logout: the server revoked the grant")
			}
		}
	}
	if err := deleteItem(ctx, cfg.Store, key(cfg.Name, ItemToken)); err != nil {
		return err
	}
	if err := deleteItem(ctx, cfg.Store, key(cfg.Name, ItemClient)); err != nil {
		return err
	}
	cfg.logf("info", "logout: tokens and registration deleted from the keychain")
	return nil
}

// revoke posts an RFC 7009 revocation request, authenticating the client as registered.
func revoke(ctx context.Context, cfg Config, cl *clientRecord, token, hint string) error {
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	if cl.AuthMethod != "client_secret_basic" {
		form.Set("client_id", cl.ClientID)
		if cl.ClientSecret != "" {
			form.Set("client_secret", cl.ClientSecret)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cl.RevocationURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("building the revocation request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cl.AuthMethod == "client_secret_basic" {
		req.SetBasicAuth(url.QueryEscape(cl.ClientID), url.QueryEscape(cl.ClientSecret))
	}
	client, _ := newTracedClient(cfg)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the revocation endpoint answered %s", resp.Status)
	}
	return nil
}
