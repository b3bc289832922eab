package bridge_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var updateTranscripts = flag.Bool("update", false, "rewrite the expect sections of testdata/transcripts/*.txtar from what the bridge does now")

// Bridge conformance transcripts: testdata/transcripts/*.txtar. Each file's comment says
// what it pins. The "setup" section holds harness commands ("disable CONN TOOL", "shim
// NAME"); "client" holds the lines the AI client writes to `patchbay shim`, one message per
// line, and "expect" what the client must read back, in order. The upstream is the Go echo
// server (bench/echoserver) as a stdio connection named "echo". After each request the
// runner waits for its response; notifications/tools/list_changed is left out of the
// comparison (its timing is the SDK's 10 ms debounce, not a contract). Messages compare as
// JSON values, so key order and spacing do not matter. Regenerate with -update, then read
// the diff.

type txtar struct {
	comment string
	files   []txtarFile
}

type txtarFile struct {
	name string
	data string
}

func parseTxtar(data string) txtar {
	var a txtar
	var cur *txtarFile
	var b strings.Builder
	flush := func() {
		if cur == nil {
			a.comment = b.String()
		} else {
			cur.data = b.String()
			a.files = append(a.files, *cur)
		}
		b.Reset()
	}
	for _, line := range strings.SplitAfter(data, "\n") {
		t := strings.TrimRight(line, "\n")
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") && len(t) > 6 {
			flush()
			cur = &txtarFile{name: strings.TrimSpace(t[3 : len(t)-3])}
			continue
		}
		b.WriteString(line)
	}
	flush()
	return a
}

func (a txtar) file(name string) string {
	for _, f := range a.files {
		if f.name == name {
			return f.data
		}
	}
	return ""
}

func (a txtar) format() string {
	var b strings.Builder
	b.WriteString(a.comment)
	for _, f := range a.files {
		fmt.Fprintf(&b, "-- %s --\n%s", f.name, f.data)
		if f.data != "" && !strings.HasSuffix(f.data, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// canon re-encodes a JSON value with sorted keys (encoding/json sorts map keys).
func canon(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestTranscripts(t *testing.T) {
	files, _ := filepath.Glob("../testdata/transcripts/*.txtar")
	if len(files) == 0 {
		t.Fatal("no transcripts")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			a := parseTxtar(string(data))
			if strings.TrimSpace(a.comment) == "" {
				t.Fatalf("%s has no comment saying what it pins", path)
			}
			h := newHarness(t)
			h.addEcho("echo")
			shimName := "echo"
			for _, cmd := range lines(a.file("setup")) {
				f := strings.Fields(cmd)
				switch {
				case len(f) == 3 && f[0] == "disable":
					if err := h.c.SetToolEnabled(ctxT(t, 5*time.Second), f[1], f[2], false); err != nil {
						t.Fatal(err)
					}
				case len(f) == 2 && f[0] == "shim":
					shimName = f[1]
				default:
					t.Fatalf("unknown setup command %q", cmd)
				}
			}
			r := h.raw(shimName)
			var got []string
			for _, line := range lines(a.file("client")) {
				r.send(line)
				var p struct {
					ID     json.RawMessage `json:"id"`
					Method string          `json:"method"`
				}
				isRequest := json.Unmarshal([]byte(line), &p) == nil && len(p.ID) > 0 && p.Method != ""
				if !json.Valid([]byte(line)) {
					isRequest = true // the shim answers a parse error
				}
				if !isRequest {
					continue
				}
				for {
					m := r.recv(30 * time.Second)
					if m["method"] == "notifications/tools/list_changed" {
						continue
					}
					b, _ := json.Marshal(m)
					got = append(got, string(b))
					if _, isResp := m["method"]; !isResp {
						break
					}
				}
			}
			want := lines(a.file("expect"))
			if *updateTranscripts {
				for i := range a.files {
					if a.files[i].name == "expect" {
						a.files[i].data = strings.Join(got, "\n") + "\n"
					}
				}
				if err := os.WriteFile(path, []byte(a.format()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if len(got) != len(want) {
				t.Errorf("got %d messages, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
			}
			for i := 0; i < len(got) && i < len(want); i++ {
				if canon(got[i]) != canon(want[i]) {
					t.Errorf("message %d:\n got %s\nwant %s", i+1, canon(got[i]), canon(want[i]))
				}
			}
		})
	}
}
