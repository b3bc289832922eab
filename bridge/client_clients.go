package bridge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Clients returns every AI client's config status, in display order, plus the project files
// Patchbay has edited.
func (c *Client) Clients(ctx context.Context) ([]ClientStatus, error) {
	var out []ClientStatus
	if err := c.do(ctx, http.MethodGet, "/v1/clients", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ChangeClient connects, disconnects, repairs or restores client id's config (ch.Action).
// Connect and disconnect are idempotent; with ch.DryRun nothing is written and the result
// holds the diff. A file that does not parse, or a same-named entry that is not Patchbay's
// (without ch.Replace), is an *APIError saying what to do.
func (c *Client) ChangeClient(ctx context.Context, id string, ch ClientChange) (*ClientChangeResult, error) {
	var r ClientChangeResult
	if err := c.do(ctx, http.MethodPost, "/v1/clients/"+url.PathEscape(id), ch, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// SetClientAutoRepair turns on or off putting Patchbay's entries back into client id's
// config when someone removes them. Idempotent; the bridge keeps it in state.json.
func (c *Client) SetClientAutoRepair(ctx context.Context, id string, on bool) error {
	return c.do(ctx, http.MethodPut, "/v1/clients/"+url.PathEscape(id)+"/auto-repair", AutoRepairRequest{On: on}, nil)
}

// Authorize runs the OAuth login of a remote connection in the bridge and returns when
// tokens are stored (nil), the login failed (a clear error), or ctx is cancelled (ctx's
// error; nothing stored: the bridge sees the request go away and cancels the flow).
// progress, if not nil, gets each line as it comes, the authorization URL first; it is
// called on the caller's goroutine. A login of the same connection already running is an
// error IsBusy reports.
func (c *Client) Authorize(ctx context.Context, name string, opts AuthorizeOptions, progress func(AuthorizeProgress)) error {
	body, _ := json.Marshal(opts)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url("/v1/connections/"+url.PathEscape(name)+"/authorize", nil), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return c.transportErr(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return readAPIError(resp)
	}
	dec := json.NewDecoder(bufio.NewReader(resp.Body))
	for {
		var l authorizeLine
		if err := dec.Decode(&l); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("the bridge ended the login of %s without an answer (did it stop?)", name)
			}
			return fmt.Errorf("reading the login of %s: %w", name, err)
		}
		switch {
		case l.Done:
			return nil
		case l.Error != "":
			return &APIError{Status: resp.StatusCode, Code: l.Code, Message: l.Error}
		}
		if progress != nil && (l.URL != "" || l.Log != "") {
			progress(l.AuthorizeProgress)
		}
	}
}

// Logout revokes a remote connection's login and deletes its tokens from the keychain.
// Idempotent.
func (c *Client) Logout(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodPost, "/v1/connections/"+url.PathEscape(name)+"/logout", nil, nil)
}
