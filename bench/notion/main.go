// Command notion compares Patchbay's native Notion connector with the official
// @notionhq/notion-mcp-server on the fake sample workspace, in one run, and prints a
// Markdown table:
//
//	go run ./bench/notion            # needs node and testdata/npm (make npm-peers)
//
// Measured: the bytes of tools/list; the bytes returned for reading the 300+-block page
// (theirs: retrieve page + every page of the top-level block children, and, for
// reference, the whole tree with one get-block-children call per nested block; ours:
// notion-fetch); tool calls and Notion API requests for "find the page titled X and append
// a three-item checklist"; and the wall time of the fetch. Everything runs on 127.0.0.1.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/patchbay-mcp/patchbay/connectors/notion"
	"github.com/patchbay-mcp/patchbay/connectors/notion/notiontest"
	"github.com/patchbay-mcp/patchbay/internal/testpeers"
)

func main() {
	runs := flag.Int("runs", 5, "fetch repetitions for the wall time (median)")
	flag.Parse()
	if err := run(*runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench/notion:", err)
		os.Exit(1)
	}
}

type session struct {
	cs    *mcp.ClientSession
	calls int
}

func (s *session) call(name string, args any) (string, map[string]any, error) {
	s.calls++
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := s.cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", name, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			b.WriteString(t.Text)
		}
	}
	if res.IsError {
		return "", nil, fmt.Errorf("%s: tool error: %s", name, b.String())
	}
	var sc map[string]any
	if res.StructuredContent != nil {
		raw, _ := json.Marshal(res.StructuredContent)
		json.Unmarshal(raw, &sc)
	}
	return b.String(), sc, nil
}

func toolsListBytes(cs *mcp.ClientSession) (int, int, error) {
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		return 0, 0, err
	}
	raw, _ := json.Marshal(res)
	return len(raw), len(res.Tools), nil
}

func ours(url string, opts notion.ClientOptions) (*session, error) {
	srv := notion.NewServer(notion.Config{BaseURL: url, Token: notiontest.Token, Client: opts})
	st, ct := mcp.NewInMemoryTransports()
	if _, err := srv.Connect(context.Background(), st, nil); err != nil {
		return nil, err
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench"}, nil).Connect(context.Background(), ct, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		return nil, err
	}
	return &session{cs: cs}, nil
}

func official(url string) (*session, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not installed")
	}
	cli := filepath.Join(testpeers.Dir(), "node_modules", "@notionhq", "notion-mcp-server", "bin", "cli.mjs")
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("%s is missing: run `make npm-peers`", cli)
	}
	home, err := os.MkdirTemp("", "bench-notion-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(home)
	cmd := exec.Command(node, cli)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "NOTION_TOKEN=" + notiontest.Token, "BASE_URL=" + url}
	cmd.WaitDelay = 5 * time.Second
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench"}, nil).Connect(context.Background(),
		&mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}, &mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		return nil, fmt.Errorf("starting the official server: %w", err)
	}
	return &session{cs: cs}, nil
}

// officialFetch reads a page the way an agent must with the official tools: retrieve the
// page, then every page of its block children; with deep set, also the children of every
// block that has some. It returns the bytes returned and the tool calls made.
func officialFetch(s *session, id string, deep bool) (int, int, error) {
	calls0 := s.calls
	text, _, err := s.call("API-retrieve-a-page", map[string]any{"page_id": id})
	if err != nil {
		return 0, 0, err
	}
	total := len(text)
	queue := []string{id}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		cursor := ""
		for {
			args := map[string]any{"block_id": parent, "page_size": 100}
			if cursor != "" {
				args["start_cursor"] = cursor
			}
			text, _, err := s.call("API-get-block-children", args)
			if err != nil {
				return 0, 0, err
			}
			total += len(text)
			var l struct {
				Results []struct {
					ID          string `json:"id"`
					Type        string `json:"type"`
					HasChildren bool   `json:"has_children"`
				} `json:"results"`
				HasMore    bool   `json:"has_more"`
				NextCursor string `json:"next_cursor"`
			}
			if err := json.Unmarshal([]byte(text), &l); err != nil {
				return 0, 0, fmt.Errorf("decoding get-block-children: %w", err)
			}
			for _, r := range l.Results {
				if deep && r.HasChildren && r.Type != "child_page" && r.Type != "child_database" {
					queue = append(queue, r.ID)
				}
			}
			if !l.HasMore {
				break
			}
			cursor = l.NextCursor
		}
	}
	return total, s.calls - calls0, nil
}

func median(ds []time.Duration) time.Duration {
	for i := range ds {
		for j := i + 1; j < len(ds); j++ {
			if ds[j] < ds[i] {
				ds[i], ds[j] = ds[j], ds[i]
			}
		}
	}
	return ds[len(ds)/2]
}

func timeIt(n int, f func() error) (time.Duration, error) {
	var ds []time.Duration
	for range n {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	return median(ds), nil
}

func run(runs int) error {
	fake := notiontest.New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s := fake.Sample()

	theirs, err := official(srv.URL)
	if err != nil {
		return err
	}
	defer theirs.cs.Close()
	us, err := ours(srv.URL, notion.ClientOptions{})
	if err != nil {
		return err
	}
	defer us.cs.Close()
	unlimited, err := ours(srv.URL, notion.ClientOptions{Rate: -1})
	if err != nil {
		return err
	}
	defer unlimited.cs.Close()

	tb, tn, err := toolsListBytes(theirs.cs)
	if err != nil {
		return err
	}
	ob, on, err := toolsListBytes(us.cs)
	if err != nil {
		return err
	}

	// Fetch the Block Zoo.
	fake.ResetRequests()
	theirTop, theirTopCalls, err := officialFetch(theirs, s.BlockZoo, false)
	if err != nil {
		return err
	}
	theirTopReqs := len(fake.Requests())
	fake.ResetRequests()
	theirAll, theirAllCalls, err := officialFetch(theirs, s.BlockZoo, true)
	if err != nil {
		return err
	}
	theirAllReqs := len(fake.Requests())
	fake.ResetRequests()
	md, _, err := us.call(notion.ToolFetch, map[string]any{"id": s.BlockZoo})
	if err != nil {
		return err
	}
	ourReqs := len(fake.Requests())
	blocks := fake.BlockCount(s.BlockZoo)

	tTop, err := timeIt(runs, func() error { _, _, err := officialFetch(theirs, s.BlockZoo, false); return err })
	if err != nil {
		return err
	}
	tAll, err := timeIt(runs, func() error { _, _, err := officialFetch(theirs, s.BlockZoo, true); return err })
	if err != nil {
		return err
	}
	tOursFree, err := timeIt(runs, func() error {
		_, _, err := unlimited.call(notion.ToolFetch, map[string]any{"id": s.BlockZoo})
		return err
	})
	if err != nil {
		return err
	}
	// With the default limiter (3 requests/s average, burst 100), from a full bucket, then
	// again right away (bucket drained by the first fetch).
	ourLimited, err := ours(srv.URL, notion.ClientOptions{})
	if err != nil {
		return err
	}
	defer ourLimited.cs.Close()
	start := time.Now()
	if _, _, err := ourLimited.call(notion.ToolFetch, map[string]any{"id": s.BlockZoo}); err != nil {
		return err
	}
	tOursLimited := time.Since(start)
	start = time.Now()
	if _, _, err := ourLimited.call(notion.ToolFetch, map[string]any{"id": s.BlockZoo}); err != nil {
		return err
	}
	tOursLimited2 := time.Since(start)

	// The task: find the page titled "Design Principles" and append a three-item checklist.
	fake.ResetRequests()
	c0 := theirs.calls
	raw, _, err := theirs.call("API-post-search", map[string]any{"query": "Design Principles"})
	if err != nil {
		return err
	}
	var hits struct {
		Results []struct {
			ID string `json:"id"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(raw), &hits); err != nil || len(hits.Results) == 0 {
		return fmt.Errorf("official search found nothing: %v", err)
	}
	todo := func(s string) map[string]any {
		return map[string]any{"type": "to_do", "to_do": map[string]any{"rich_text": []any{map[string]any{"type": "text", "text": map[string]any{"content": s}}}, "checked": false}}
	}
	if _, _, err := theirs.call("API-patch-block-children", map[string]any{"block_id": hits.Results[0].ID,
		"children": []any{todo("Draft"), todo("Review"), todo("Publish")}}); err != nil {
		return err
	}
	theirTaskCalls, theirTaskReqs := theirs.calls-c0, len(fake.Requests())

	fake.ResetRequests()
	c0 = us.calls
	_, sc, err := us.call(notion.ToolSearch, map[string]any{"query": "Design Principles"})
	if err != nil {
		return err
	}
	id := sc["results"].([]any)[0].(map[string]any)["id"].(string)
	if _, _, err := us.call(notion.ToolAppend, map[string]any{"page_id": id, "content": "- [ ] Draft\n- [ ] Review\n- [ ] Publish"}); err != nil {
		return err
	}
	ourTaskCalls, ourTaskReqs := us.calls-c0, len(fake.Requests())

	pct := func(a, b int) string { return fmt.Sprintf("%.1f %%", 100*float64(a)/float64(b)) }
	fmt.Printf("Sample workspace: Block Zoo page of %d blocks (%d requests for ours to read it all).\n\n", blocks, ourReqs)
	fmt.Println("| measure | official @notionhq/notion-mcp-server 2.5.2 | Patchbay native | target |")
	fmt.Println("|---|---|---|---|")
	fmt.Printf("| tools/list bytes | %d (%d tools) | %d (%d tools) | ≤ 12 KB |\n", tb, tn, ob, on)
	fmt.Printf("| fetch 300-block page: bytes (theirs: page + top-level children) | %d (%d calls, %d API requests) | %d (1 call, whole tree) = %s of theirs | ≤ 25 %% |\n",
		theirTop, theirTopCalls, theirTopReqs, len(md), pct(len(md), theirTop))
	fmt.Printf("| fetch 300-block page: bytes, whole tree both sides | %d (%d calls, %d API requests) | %d (1 call, %d API requests) = %s of theirs | |\n",
		theirAll, theirAllCalls, theirAllReqs, len(md), ourReqs, pct(len(md), theirAll))
	fmt.Printf("| find page titled X + append 3-item checklist | %d tool calls, %d API requests | %d tool calls, %d API requests | ≤ 3 calls |\n",
		theirTaskCalls, theirTaskReqs, ourTaskCalls, ourTaskReqs)
	fmt.Printf("| fetch wall time, median of %d (local fake) | %s top level; %s whole tree | %s whole tree (limiter off) | |\n",
		runs, tTop.Round(time.Millisecond), tAll.Round(time.Millisecond), tOursFree.Round(time.Millisecond))
	fmt.Printf("| fetch wall time with the default limiter (3 req/s average, burst 100) | no limiter | %s first fetch; %s a second one right after | |\n",
		tOursLimited.Round(time.Millisecond), tOursLimited2.Round(time.Millisecond))
	return nil
}
