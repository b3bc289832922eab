package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
)

// DiscoveryError says the server's OAuth metadata is missing or unusable.
type DiscoveryError struct {
	// URL is the resource whose metadata was sought.
	URL string
	// Detail says what was tried and what went wrong.
	Detail string
}

func (e *DiscoveryError) Error() string {
	return fmt.Sprintf("OAuth discovery for %s: %s; Patchbay cannot log in to this server (check the URL, "+
		"or use a static header instead of OAuth if the server takes one)", e.URL, e.Detail)
}

// metadata is what discovery found.
type metadata struct {
	prm *oauthex.ProtectedResourceMetadata
	asm *oauthex.AuthServerMeta
}

// discover finds the protected resource metadata (RFC 9728: first the resource_metadata URL
// of the 401 challenge, else the path-inserted and root well-known URLs) and then its
// authorization server's metadata (RFC 8414 / OIDC). A document the server points to that is
// broken is an error; missing documents are only an error when none is found.
//
// Unlike auth.AuthorizationCodeHandler alone, it does not fall back to guessed endpoints: a
// server without metadata gets a clear error rather than a login against /authorize on
// whatever answers.
func discover(ctx context.Context, cfg Config, client *http.Client, challenges []string) (*metadata, error) {
	resource := cfg.ResourceURL
	chs, err := oauthex.ParseWWWAuthenticate(challenges)
	if err != nil {
		return nil, &DiscoveryError{URL: resource, Detail: fmt.Sprintf("the WWW-Authenticate header does not parse: %v", err)}
	}
	var fromChallenge string
	for _, c := range chs {
		if u := c.Params["resource_metadata"]; u != "" {
			fromChallenge = u
			break
		}
	}
	var prm *oauthex.ProtectedResourceMetadata
	if fromChallenge != "" {
		cfg.logf("info", "discovery: protected resource metadata at %s (from the 401 challenge)", fromChallenge)
		prm, err = oauthex.GetProtectedResourceMetadata(ctx, fromChallenge, resource, client)
		if err != nil {
			return nil, &DiscoveryError{URL: resource, Detail: fmt.Sprintf("reading the protected resource metadata the server named: %v", err)}
		}
	} else {
		var tried []string
		for _, c := range wellKnownPRM(resource) {
			p, err := oauthex.GetProtectedResourceMetadata(ctx, c.url, c.resource, client)
			if err == nil && p != nil {
				cfg.logf("info", "discovery: protected resource metadata at %s", c.url)
				prm = p
				break
			}
			tried = append(tried, fmt.Sprintf("%s (%v)", c.url, err))
		}
		if prm == nil {
			return nil, &DiscoveryError{URL: resource, Detail: "no protected resource metadata (RFC 9728): tried " + strings.Join(tried, "; ")}
		}
	}
	if len(prm.AuthorizationServers) == 0 {
		return nil, &DiscoveryError{URL: resource, Detail: "the protected resource metadata names no authorization server"}
	}
	issuer := prm.AuthorizationServers[0]
	asm, err := auth.GetAuthServerMetadata(ctx, issuer, client)
	switch {
	case err != nil:
		return nil, &DiscoveryError{URL: resource, Detail: fmt.Sprintf("reading the metadata of authorization server %s: %v", issuer, err)}
	case asm == nil:
		return nil, &DiscoveryError{URL: resource, Detail: fmt.Sprintf("authorization server %s publishes no metadata (RFC 8414)", issuer)}
	case !supportsS256(asm):
		return nil, &DiscoveryError{URL: resource, Detail: fmt.Sprintf("authorization server %s does not support PKCE with S256", issuer)}
	}
	cfg.logf("info", "discovery: authorization server %s (authorize %s, token %s, registration %s)",
		asm.Issuer, asm.AuthorizationEndpoint, asm.TokenEndpoint, orNone(asm.RegistrationEndpoint))
	return &metadata{prm: prm, asm: asm}, nil
}

func supportsS256(asm *oauthex.AuthServerMeta) bool {
	for _, m := range asm.CodeChallengeMethodsSupported {
		if m == "S256" {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

type prmCandidate struct{ url, resource string }

// wellKnownPRM lists the RFC 9728 well-known URLs for resource: path-inserted, then root.
func wellKnownPRM(resource string) []prmCandidate {
	u, err := url.Parse(resource)
	if err != nil {
		return nil
	}
	var out []prmCandidate
	m := *u
	m.RawQuery, m.Fragment = "", ""
	if p := strings.Trim(u.Path, "/"); p != "" {
		m.Path = "/.well-known/oauth-protected-resource/" + p
		out = append(out, prmCandidate{m.String(), resource})
	}
	m.Path = "/.well-known/oauth-protected-resource"
	root := *u
	root.Path, root.RawQuery, root.Fragment = "", "", ""
	out = append(out, prmCandidate{m.String(), root.String()})
	return out
}

// errNoAuth says the server answered without asking for authorization.
var errNoAuth = errors.New("no authorization required")
