package events

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRedactJSON(t *testing.T) {
	in := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"query":"hello","NOTION_TOKEN":"ntn_abcdefghijklmnop","nested":{"Authorization":"Bearer xyz.abc.def","access_token":{"a":1},"api-key":12345},"note":"use Bearer abcdefgh please","progressToken":7,"maxTokens":100,"list":["secret_ABCDEFGHIJKL","plain"]}}}`
	out := string(Redact([]byte(in)))
	if !json.Valid([]byte(out)) {
		t.Fatalf("not valid JSON: %s", out)
	}
	for _, leak := range []string{"ntn_abcdefghijklmnop", "xyz.abc.def", "12345", "abcdefgh please", "secret_ABCDEFGHIJKL", `"a":1`} {
		if strings.Contains(out, leak) {
			t.Errorf("leaked %q in %s", leak, out)
		}
	}
	for _, keep := range []string{`"query":"hello"`, `"progressToken":7`, `"maxTokens":100`, `"plain"`, `"method":"tools/call"`, `"id":1`, `"use Bearer [REDACTED] please"`} {
		if !strings.Contains(out, keep) {
			t.Errorf("lost %q in %s", keep, out)
		}
	}
	// Key order is kept.
	if !strings.HasPrefix(out, `{"jsonrpc":"2.0","id":1,"method"`) {
		t.Errorf("key order changed: %s", out)
	}
}

func TestRedactText(t *testing.T) {
	cases := map[string]string{
		"starting with NOTION_TOKEN=ntn_1234567890abc now": "NOTION_TOKEN=[REDACTED] now",
		"curl -H 'Authorization: Bearer abc123def'":        "Bearer [REDACTED]",
		`partial {"client_secret": "hunter22", "x": "y"`:   `"client_secret":"[REDACTED]"`,
		"API_KEY='two words'":                              "API_KEY=[REDACTED]",
	}
	for in, want := range cases {
		got := string(Redact([]byte(in)))
		if !strings.Contains(got, want) {
			t.Errorf("Redact(%q) = %q, want it to contain %q", in, got, want)
		}
		for _, leak := range []string{"ntn_1234567890abc", "abc123def", "hunter22", "two words"} {
			if strings.Contains(got, leak) {
				t.Errorf("Redact(%q) leaked %q: %q", in, leak, got)
			}
		}
	}
}

func TestBodyTruncates(t *testing.T) {
	big := `{"a":"` + strings.Repeat("x", 100) + ` ntn_abcdefghijklmnopq ` + strings.Repeat("y", 1000) + `"}`
	out, cut := Body([]byte(big), 200)
	if !cut || !json.Valid(out) {
		t.Fatalf("cut=%v valid=%v", cut, json.Valid(out))
	}
	if strings.Contains(string(out), "ntn_abcdefghijklmnopq") {
		t.Fatalf("leaked token in %s", out)
	}
	small, cut := Body([]byte(`{"token":"abc"}`), 0)
	if cut || string(small) != `{"token":"[REDACTED]"}` {
		t.Fatalf("got %s cut=%v", small, cut)
	}
	text, _ := Body([]byte(`not json`), 0)
	if string(text) != `"not json"` {
		t.Fatalf("got %s", text)
	}
}

func TestIsSecretKey(t *testing.T) {
	for k, want := range map[string]bool{"NOTION_TOKEN": true, "Authorization": true, "x-api-key": true, "client_secret": true, "password": true, "progressToken": false, "maxTokens": false, "name": false, "cursor": false} {
		if got := IsSecretKey(k); got != want {
			t.Errorf("IsSecretKey(%q) = %v", k, got)
		}
	}
}

func BenchmarkRedactResponse(b *testing.B) {
	body := []byte(`{"jsonrpc":"2.0","id":12,"result":{"content":[{"type":"text","text":"hello world"}],"structuredContent":{"name":"x","count":3}}}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Body(body, 0)
	}
}

func TestMayHoldSecretCoversRedaction(t *testing.T) {
	// Whenever Redact changes something, the fast check must have said "maybe".
	for _, in := range []string{
		`{"API__KEY":"x"}`, `{"X-Api-Key":"x"}`, `{"privateKey":"x"}`, `{"Pass_Word":"x"}`, `{"credentials":"x"}`,
		`Authorization: Basic dXNlcjpwYXNz`, `sk-abcdefghijklmnop`, `{"cookie":"x"}`, `MY_PASSWD=x`,
	} {
		if string(Redact([]byte(in))) == in {
			t.Errorf("Redact(%q) changed nothing", in)
		}
	}
	if mayHoldSecret([]byte(`{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hi"}]}}`)) {
		t.Error("a plain result counted as maybe secret")
	}
}
