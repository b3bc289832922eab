package remotetest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sync"
)

// Browser is a test "browser": Open follows an authorization URL to the fake's consent page,
// approves (or denies) like a user clicking, and follows the redirect to the loopback
// callback, as a real browser would. It is safe for concurrent use.
type Browser struct {
	// Deny clicks "Cancel" on the consent page instead of "Allow access".
	Deny bool
	// Tamper, if set, may change the authorization URL before it is followed (to send a
	// wrong PKCE challenge, say).
	Tamper func(u *url.URL)
	// TamperCallback, if set, may change the callback URL the server redirects to before it
	// is followed (to forge a wrong state, say).
	TamperCallback func(u *url.URL)

	mu     sync.Mutex // guards opened, page
	opened []string
	page   string
}

var requestField = regexp.MustCompile(`name="request" value="([^"]+)"`)

// Open is an openBrowser func: it returns once the callback page has loaded, or with an
// error when the authorization server showed an error page instead of redirecting.
func (b *Browser) Open(authURL string) error {
	b.mu.Lock()
	b.opened = append(b.opened, authURL)
	b.mu.Unlock()
	u, err := url.Parse(authURL)
	if err != nil {
		return err
	}
	if b.Tamper != nil {
		b.Tamper(u)
	}
	c := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if b.TamperCallback != nil {
			b.TamperCallback(req.URL)
		}
		return nil
	}}
	resp, err := c.Get(u.String())
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := requestField.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		b.setPage(string(body))
		return fmt.Errorf("authorization page: %s: %s", resp.Status, body)
	}
	decision := "approve"
	if b.Deny {
		decision = "deny"
	}
	consent := u.Scheme + "://" + u.Host + "/authorize/consent"
	resp, err = c.PostForm(consent, url.Values{"request": {string(m[1])}, "decision": {decision}})
	if err != nil {
		return err
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	b.setPage(string(body))
	return nil
}

func (b *Browser) setPage(p string) {
	b.mu.Lock()
	b.page = p
	b.mu.Unlock()
}

// Opened returns the URLs Open was called with.
func (b *Browser) Opened() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.opened...)
}

// Page returns the last page the browser showed (the callback's "you can close this tab").
func (b *Browser) Page() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.page
}
