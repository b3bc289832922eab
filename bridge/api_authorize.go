package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/patchbay-mcp/patchbay/bridge/events"
	"github.com/patchbay-mcp/patchbay/connectors"
	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/remote"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// AuthorizeOptions is the body of POST /v1/connections/{name}/authorize.
type AuthorizeOptions struct {
	Fresh       bool `json:"fresh,omitempty"`        // register a new OAuth client (reconnect)
	OpenBrowser bool `json:"open_browser,omitempty"` // the bridge opens the system browser
}

// AuthorizeProgress is one NDJSON line of the authorize stream.
type AuthorizeProgress struct {
	URL string `json:"url,omitempty"` // the authorization URL (first line)
	Log string `json:"log,omitempty"` // a step: discovery, registration, waiting for the browser, token
}

// authorizeLine is every line of the authorize stream: progress, then one final line with
// Done or Error set.
type authorizeLine struct {
	AuthorizeProgress
	Done  bool   `json:"done,omitempty"`
	Error string `json:"error,omitempty"`
	Code  string `json:"code,omitempty"`
}

// More error codes of the local API.
const (
	CodeBusy    = "busy"    // a login of this connection is already running
	CodeRefused = "refused" // the upstream refused a credential (a Notion token, an OAuth grant)
)

// IsBusy reports whether err is the bridge refusing a second login of the same connection.
func IsBusy(err error) bool { return errCode(err) == CodeBusy }

// IsRefused reports whether err is the upstream refusing a credential.
func IsRefused(err error) bool { return errCode(err) == CodeRefused }

// loginSet holds the connections whose OAuth login runs now. Safe for concurrent use.
type loginSet struct {
	mu      sync.Mutex // guards running
	running map[string]bool
}

// begin marks name as logging in; false if it already is.
func (l *loginSet) begin(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running[name] {
		return false
	}
	if l.running == nil {
		l.running = map[string]bool{}
	}
	l.running[name] = true
	return true
}

func (l *loginSet) end(name string) {
	l.mu.Lock()
	delete(l.running, name)
	l.mu.Unlock()
}

// remoteSettings reads the settings of a remote connection, answering the request itself
// when rt is not one.
func remoteSettings(w http.ResponseWriter, rt *connRuntime) (remote.Settings, bool) {
	c := rt.connection()
	var s remote.Settings
	if c.Kind != state.KindRemote {
		writeErr(w, http.StatusBadRequest, CodeBadRequest, rt.name+" is a "+c.Kind+" connection; only remote connections log in with OAuth")
		return s, false
	}
	if err := json.Unmarshal(c.Settings, &s); err != nil {
		writeErr(w, http.StatusInternalServerError, CodeInternal, "reading the settings of "+rt.name+": "+err.Error())
		return s, false
	}
	return s, true
}

// reloadRemote makes rt's connector, if built, read the keychain again.
func (rt *connRuntime) reloadRemote() {
	rt.mu.Lock()
	c := rt.connector
	rt.mu.Unlock()
	if rc, ok := c.(*remote.Connector); ok {
		rc.Reload()
	}
}

// handleAuthorize runs the OAuth login of a remote connection, streaming its steps as
// NDJSON AuthorizeProgress lines and ending with {"done":true} or {"error":..,"code":..}.
// The login is bound to the request: a client that goes away cancels it, and nothing is
// stored. One login per connection runs at a time; a second gets 409 CodeBusy.
func (b *Bridge) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	rt, ok := b.lookup(w, r)
	if !ok {
		return
	}
	var opts AuthorizeOptions
	if r.ContentLength != 0 {
		if !readJSON(w, r, &opts) {
			return
		}
	}
	drainBody(r)
	s, ok := remoteSettings(w, rt)
	if !ok {
		return
	}
	if s.Auth != remote.AuthOAuth {
		writeErr(w, http.StatusBadRequest, CodeBadRequest, rt.name+" does not log in with OAuth (its auth is "+strconv.Quote(s.Auth)+"): there is nothing to connect")
		return
	}
	if !b.logins.begin(rt.name) {
		writeErr(w, http.StatusConflict, CodeBusy, "a login of "+rt.name+" is already running: finish it in the browser or cancel it first")
		return
	}
	// Released before the outcome is reported, so that whoever reads it may log in again.
	release := sync.OnceFunc(func() { b.logins.end(rt.name) })
	defer release()

	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	var mu sync.Mutex // guards enc and the response writer: hooks and the browser callback may run on other goroutines
	enc := json.NewEncoder(w)
	send := func(l authorizeLine) {
		mu.Lock()
		defer mu.Unlock()
		if enc.Encode(l) == nil {
			rc.Flush()
		}
	}
	base := rt.hooks()
	hooks := connectors.Hooks{
		Log: func(level, msg string) {
			base.LogLine(level, msg)
			if level != "debug" {
				send(authorizeLine{AuthorizeProgress: AuthorizeProgress{Log: events.RedactString(msg)}})
			}
		},
		NeedsAuth:  base.NeedsAuth,
		Authorized: base.Authorized,
	}
	open := func(u string) error {
		send(authorizeLine{AuthorizeProgress: AuthorizeProgress{URL: u}})
		if opts.OpenBrowser {
			return b.openBrowser(u)
		}
		return nil
	}
	err := remote.Authorize(r.Context(), rt.name, s, b.opts.Keychain, open, hooks, opts.Fresh)
	release()
	if err != nil {
		if r.Context().Err() != nil {
			base.LogLine("info", "login of "+rt.name+" cancelled: nothing was stored")
			return
		}
		code := CodeUpstream
		var ku *keychain.UnavailableError
		if errors.As(err, &ku) {
			code = CodeKeychain
		}
		send(authorizeLine{Error: events.RedactString("logging in to " + rt.name + ": " + err.Error()), Code: code})
		return
	}
	rt.reloadRemote()
	base.AuthOK()
	base.LogLine("info", "logged in to "+rt.name)
	send(authorizeLine{Done: true})
}

// openBrowser opens u in the system browser (Options.OpenBrowser when set).
func (b *Bridge) openBrowser(u string) error {
	if b.opts.OpenBrowser != nil {
		return b.opts.OpenBrowser(u)
	}
	return remote.OpenBrowser(u)
}

// handleLogout revokes a remote connection's login and deletes its tokens. Idempotent.
func (b *Bridge) handleLogout(w http.ResponseWriter, r *http.Request) {
	rt, ok := b.lookup(w, r)
	if !ok {
		return
	}
	s, ok := remoteSettings(w, rt)
	if !ok {
		return
	}
	if err := remote.Logout(r.Context(), rt.name, s, b.opts.Keychain, rt.hooks()); err != nil {
		writeErr(w, http.StatusBadGateway, CodeUpstream, "logging out of "+rt.name+": "+err.Error())
		return
	}
	rt.reloadRemote()
	rt.hooks().LogLine("info", "logged out of "+rt.name)
	w.WriteHeader(http.StatusNoContent)
}

// revokeRemote revokes the OAuth grant of a remote connection being removed, best effort
// and bounded: the server may be gone, and removing must not hang on it.
func (b *Bridge) revokeRemote(ctx context.Context, c state.Connection) {
	if c.Kind != state.KindRemote {
		return
	}
	var s remote.Settings
	if json.Unmarshal(c.Settings, &s) != nil || s.Auth != remote.AuthOAuth {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := remote.Logout(ctx, c.Name, s, b.opts.Keychain, connectors.Hooks{}); err != nil {
		b.log.Append(events.Event{Kind: events.KindLog, Connection: c.Name, Level: "warn", Message: events.RedactString("revoking the login of removed connection " + c.Name + ": " + err.Error())})
	}
}
