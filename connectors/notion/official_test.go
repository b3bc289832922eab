package notion

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/connectors/notion/notiontest"
	"github.com/patchbay-mcp/patchbay/internal/testpeers"
)

// officialBin is the official server's entry point inside testdata/npm/node_modules
// (package.json "bin": {"notion-mcp-server": "bin/cli.mjs"}).
const officialBin = "@notionhq/notion-mcp-server/bin/cli.mjs"

// startOfficial runs @notionhq/notion-mcp-server over stdio against baseURL, with the
// environment the official README documents (NOTION_TOKEN) plus BASE_URL.
func startOfficial(tb testing.TB, baseURL string) *mcp.ClientSession {
	tb.Helper()
	node, cli := testpeers.Require(tb, officialBin)
	cmd := exec.Command(node, cli)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tb.TempDir(), "NOTION_TOKEN=" + notiontest.Token, "BASE_URL=" + baseURL}
	cmd.WaitDelay = 5 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "side-by-side"}, nil).Connect(ctx,
		&mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		tb.Fatalf("starting the official server: %v\n%s", err, stderr.String())
	}
	tb.Cleanup(func() { cs.Close() })
	return cs
}

func callText(tb testing.TB, cs *mcp.ClientSession, name string, args any) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	if res.IsError {
		tb.Fatalf("%s: tool error: %s", name, b.String())
	}
	return b.String()
}

// TestSideBySideWithTheOfficialServer points the official server and ours at the same fake
// and checks that they find the same pages.
func TestSideBySideWithTheOfficialServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node")
	}
	fake, url := notiontest.Start(t)
	official := startOfficial(t, url)
	ours := newRigFor(t, fake, url, notiontest.Token)
	for _, q := range []string{"Engineering", "Task 1", "zoo", "Salaries", ""} {
		var theirs struct {
			Results []struct {
				ID string `json:"id"`
			} `json:"results"`
		}
		raw := callText(t, official, "API-post-search", map[string]any{"query": q, "page_size": 100})
		if err := json.Unmarshal([]byte(raw), &theirs); err != nil {
			t.Fatalf("official search %q: %v: %s", q, err, clip(raw))
		}
		var a []string
		for _, r := range theirs.Results {
			a = append(a, r.ID)
		}
		_, sc := ours.call(ToolSearch, map[string]any{"query": q, "page_size": 100}, false)
		var b []string
		for _, h := range sc["results"].([]any) {
			b = append(b, h.(map[string]any)["id"].(string))
		}
		sort.Strings(a)
		sort.Strings(b)
		if strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("search %q: official found %d pages, ours %d\n%v\n%v", q, len(a), len(b), a, b)
		}
		if q == "Salaries" && len(a) != 0 {
			t.Error("an unshared page was found")
		}
		if q == "Task 1" && len(a) < 10 {
			t.Errorf("search %q found only %d rows", q, len(a))
		}
	}
	// Both saw the same requests reach the fake, with the official server's headers accepted.
	if n := countPrefix(fake.Requests(), "POST /v1/search"); n != 10 {
		t.Errorf("%d searches reached the fake, want 10", n)
	}
}
