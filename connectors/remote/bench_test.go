package remote

import (
	"bytes"
	"context"
	"io"
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

type cannedRT struct{}

func (cannedRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: http.NoBody, Request: r}, nil
}

// BenchmarkRoundTripLayers isolates what the connector's own HTTP layers (session keeper,
// OAuth token, Authorization header) add to one upstream request, over a base transport
// that answers at once.
func BenchmarkRoundTripLayers(b *testing.B) {
	e := newOAuthEnv(b)
	ctx := context.Background()
	if err := Authorize(ctx, "notion", e.settings, e.store, e.browser.Open, e.sink.hooks(), false); err != nil {
		b.Fatal(err)
	}
	toks := oauth.NewTokens(oauth.Config{Name: "notion", Store: e.store, Now: e.clock.Now})
	keeper := &sessionKeeper{base: &authTransport{base: cannedRT{}, tokens: toks}, endpoint: e.settings.URL}
	body := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`)
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.settings.URL, bytes.NewReader(body))
		req.Header.Set("Mcp-Session-Id", "s1")
		resp, err := keeper.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}
