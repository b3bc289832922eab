package remote

import (
	"context"
	"net/http"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/patchbay-mcp/patchbay/connectors/remote/oauth"
)

// bearerTransport adds a fixed bearer token: the baseline without Patchbay's layers.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// BenchmarkCallTool measures one tools/call against the local fake, through the connector
// (token source, auth and session-keeper round trippers) and, as a baseline, through a bare
// go-sdk StreamableClientTransport with the same token. The difference is what the
// connector adds to a call.
func BenchmarkCallTool(b *testing.B) {
	e := newOAuthEnv(b)
	ctx := context.Background()
	if err := Authorize(ctx, "notion", e.settings, e.store, e.browser.Open, e.sink.hooks(), false); err != nil {
		b.Fatal(err)
	}
	tok, err := oauth.NewTokens(oauth.Config{Name: "notion", Store: e.store, Now: e.clock.Now}).Token(ctx)
	if err != nil {
		b.Fatal(err)
	}
	c, err := New(Config{Name: "notion", Settings: e.settings, Store: e.store, Now: e.clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	tr, err := c.Transport(ctx)
	if err != nil {
		b.Fatal(err)
	}
	base := &mcp.StreamableClientTransport{Endpoint: e.settings.URL, HTTPClient: &http.Client{Transport: bearerTransport{tok.AccessToken}}}
	for _, bc := range []struct {
		name string
		tr   mcp.Transport
	}{{"connector", tr}, {"baseline", base}} {
		b.Run(bc.name, func(b *testing.B) {
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(ctx, bc.tr, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer cs.Close()
			args := map[string]any{"text": "hello"}
			b.ResetTimer()
			for b.Loop() {
				if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: args}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTokenFastPath measures handing out a token that needs no refresh: the cost every
// upstream request pays.
func BenchmarkTokenFastPath(b *testing.B) {
	e := newOAuthEnv(b)
	ctx := context.Background()
	if err := Authorize(ctx, "notion", e.settings, e.store, e.browser.Open, e.sink.hooks(), false); err != nil {
		b.Fatal(err)
	}
	toks := oauth.NewTokens(oauth.Config{Name: "notion", Store: e.store, Now: e.clock.Now})
	if _, err := toks.Token(ctx); err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := toks.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
