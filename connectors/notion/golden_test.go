package notion

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGoldenOutputs pins what agents read, byte for byte, on the sample workspace (whose
// ids and clock are deterministic). Run with -update after checking a change is wanted.
func TestGoldenOutputs(t *testing.T) {
	r := newRig(t)
	cases := []struct {
		file string
		tool string
		args map[string]any
	}{
		{"fetch_block_zoo.md", ToolFetch, map[string]any{"id": r.s.BlockZoo}},
		{"fetch_tasks_database.md", ToolFetch, map[string]any{"id": r.s.TasksDB}},
		{"fetch_row.md", ToolFetch, map[string]any{"id": "https://www.notion.so/acme/Task-5-c5b99cb9287840cc866ac813d7b90535"}},
		{"search_task.md", ToolSearch, map[string]any{"query": "task 4"}},
		{"query_done_list.md", ToolQuery, map[string]any{"data_source_id": r.s.TasksDS, "format": "list",
			"filter": map[string]any{"property": "Status", "status": map[string]any{"equals": "Done"}}, "page_size": 5}},
		{"comments_engineering.md", ToolGetComments, map[string]any{"page_id": r.s.Engineering}},
		{"users.md", ToolGetUsers, map[string]any{}},
	}
	for _, c := range cases {
		got := r.ok(c.tool, c.args)
		path := filepath.Join("testdata", c.file)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("reading %s (run with -update to create it): %v", path, err)
		}
		if string(want) != got {
			wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
			for i := 0; i < len(wl) && i < len(gl); i++ {
				if wl[i] != gl[i] {
					t.Errorf("%s differs at line %d:\nwant %q\ngot  %q", c.file, i+1, wl[i], gl[i])
					break
				}
			}
			if len(wl) != len(gl) {
				t.Errorf("%s: %d lines, golden has %d", c.file, len(gl), len(wl))
			}
		}
	}
}
