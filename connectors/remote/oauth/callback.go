package oauth

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
)

// PortBusyError says the loopback callback port is taken by another program.
type PortBusyError struct {
	Port int
	Err  error
}

func (e *PortBusyError) Error() string {
	return fmt.Sprintf("the OAuth callback port 127.0.0.1:%d is in use by another program (%v): close that program "+
		"(another login in progress?), or set a different callback_port for this connection", e.Port, e.Err)
}

func (e *PortBusyError) Unwrap() error { return e.Err }

// callbackResult is what the authorization server's redirect carried.
type callbackResult struct {
	res *auth.AuthorizationResult
	err error
}

// callbackServer is the loopback redirect target: 127.0.0.1 only, one fixed port. It
// accepts the first redirect whose state matches and shows a small page either way.
type callbackServer struct {
	ln      net.Listener
	srv     *http.Server
	results chan callbackResult // buffered 1: only the first redirect counts

	mu    sync.Mutex // guards state, done
	state string     // the state the current authorization URL carries
	done  bool
}

// listenCallback binds 127.0.0.1:port. A busy port is a *PortBusyError.
func listenCallback(port int) (*callbackServer, error) {
	ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, &PortBusyError{Port: port, Err: syscall.EADDRINUSE}
		}
		return nil, fmt.Errorf("listening for the OAuth callback on 127.0.0.1:%d: %w", port, err)
	}
	c := &callbackServer{ln: ln, results: make(chan callbackResult, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+CallbackPath, c.serve)
	c.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go c.srv.Serve(ln)
	return c, nil
}

func (c *callbackServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c.srv.Shutdown(ctx)
}

// reset readies the server for another round (a second login after a stale registration).
func (c *callbackServer) reset() {
	c.mu.Lock()
	c.done = false
	c.mu.Unlock()
	select {
	case <-c.results:
	default:
	}
}

// expect sets the state of the authorization URL about to be opened.
func (c *callbackServer) expect(state string) {
	c.mu.Lock()
	c.state = state
	c.mu.Unlock()
}

func (c *callbackServer) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c.mu.Lock()
	state, done := c.state, c.done
	c.done = true
	c.mu.Unlock()
	if done {
		page(w, http.StatusOK, "This login has already finished", "You can close this tab.")
		return
	}
	var res callbackResult
	switch {
	case q.Get("state") == "" || q.Get("state") != state:
		res.err = errors.New("the login callback carried a wrong state (a stale tab, or a forged request): " +
			"nothing was stored; start the login again")
		page(w, http.StatusBadRequest, "Patchbay could not finish the login", "The request did not match the login Patchbay started. Close this tab and try again.")
	case q.Get("error") != "":
		code := q.Get("error")
		if code == "access_denied" {
			res.err = errors.New("access was denied on the authorization page: nothing was stored; connect again and choose Allow to use this server")
		} else {
			res.err = fmt.Errorf("the authorization server refused the login: %s %s", code, q.Get("error_description"))
		}
		page(w, http.StatusOK, "Patchbay was not connected", "The authorization server said: "+code+". You can close this tab.")
	case q.Get("code") == "":
		res.err = errors.New("the login callback carried no authorization code: start the login again")
		page(w, http.StatusBadRequest, "Patchbay could not finish the login", "No authorization code arrived. Close this tab and try again.")
	default:
		res.res = &auth.AuthorizationResult{Code: q.Get("code"), State: q.Get("state"), Iss: q.Get("iss")}
		page(w, http.StatusOK, "Patchbay is connected", "You can close this tab and go back to your AI client.")
	}
	c.results <- res
}

func page(w http.ResponseWriter, status int, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><title>%[1]s</title>`+
		`<body style="font-family:system-ui,sans-serif;margin:4em auto;max-width:32em;text-align:center">`+
		`<h1>%[1]s</h1><p>%[2]s</p></body>`, html.EscapeString(title), html.EscapeString(body))
}
