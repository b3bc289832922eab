package clientconfig

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/patchbay-mcp/patchbay/internal/paths"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenExe is the patchbay binary the goldens' entries launch.
const goldenExe = "/opt/patchbay/bin/patchbay"

func goldenEntry() Entry { return NewEntry("notion", goldenExe, paths.Layout{}) }

// testLayout sets PATCHBAY_HOME, so fuzzed entries carry an env too.
var testLayout = paths.Layout{Home: "/home/u/pb"}

// family returns the folder of testdata/cases that holds inputs for the client's format.
func family(c *Client) string {
	switch {
	case c.Format == TOML:
		return "toml"
	case c.Format == YAML && c.List:
		return "yaml-list"
	case c.Format == YAML:
		return "yaml-map"
	default:
		return "json"
	}
}

// caseInput reads a case and names the client's servers key in it.
func caseInput(t testing.TB, c *Client, file string) []byte {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("SERVERS"), []byte(c.Servers))
}

// TestGolden runs Upsert then Remove on every case for every client and compares with
// testdata/golden/<client>/<case>/{original,after-upsert,after-remove}. It also checks that
// a second upsert and a second remove are byte-identical (idempotent), and that the data
// after remove equals the original's. Regenerate with: go test ./clientconfig -run Golden -update
func TestGolden(t *testing.T) {
	for _, c := range Clients {
		cases, _ := filepath.Glob(filepath.Join("testdata", "cases", family(c), "*"))
		if len(cases) == 0 {
			t.Fatalf("no cases for %s", c.ID)
		}
		for _, cf := range cases {
			name := filepath.Base(cf)
			t.Run(c.ID+"/"+name, func(t *testing.T) {
				orig := caseInput(t, c, cf)
				up, err := c.Upsert(orig, goldenEntry(), false)
				if err != nil {
					t.Fatalf("upsert: %v", err)
				}
				up2, err := c.Upsert(up, goldenEntry(), false)
				if err != nil || !bytes.Equal(up, up2) {
					t.Fatalf("second upsert changed the file (err %v):\n%s\n---\n%s", err, up, up2)
				}
				rm, err := c.Remove(up, "notion", goldenExe)
				if err != nil {
					t.Fatalf("remove: %v", err)
				}
				rm2, err := c.Remove(rm, "notion", goldenExe)
				if err != nil || !bytes.Equal(rm, rm2) {
					t.Fatalf("second remove changed the file (err %v)", err)
				}
				assertSameData(t, c, orig, rm)
				assertStyleKept(t, orig, up)
				dir := filepath.Join("testdata", "golden", c.ID, name)
				files := map[string][]byte{"original": orig, "after-upsert": up, "after-remove": rm}
				for fn, got := range files {
					p := filepath.Join(dir, fn)
					if *update {
						os.MkdirAll(dir, 0o755)
						if err := os.WriteFile(p, got, 0o644); err != nil {
							t.Fatal(err)
						}
						continue
					}
					want, err := os.ReadFile(p)
					if err != nil {
						t.Fatalf("%v (run with -update to create the goldens)", err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", fn, p, got, want)
					}
				}
			})
		}
	}
}

// assertSameData checks that after remove the document holds the original's data, except
// that an absent servers key may now be an empty one.
func assertSameData(t testing.TB, c *Client, orig, rm []byte) {
	t.Helper()
	ed := c.editor()
	_, ob := detectStyle(orig)
	_, rb := detectStyle(rm)
	od, err := ed.decode(ob)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := ed.decode(rb)
	if err != nil {
		t.Fatalf("after remove does not parse: %v", err)
	}
	od, rd = normalize(od), normalize(rd)
	if !reflect.DeepEqual(c.dropEmptyServers(od), c.dropEmptyServers(rd)) {
		t.Fatalf("remove after upsert changed the data:\n%v\n%v", od, rd)
	}
}

// assertStyleKept checks BOM, line endings and final newline survive an upsert.
func assertStyleKept(t testing.TB, orig, up []byte) {
	t.Helper()
	if bytes.HasPrefix(orig, bom) != bytes.HasPrefix(up, bom) {
		t.Fatal("BOM not kept")
	}
	if bytes.Contains(orig, []byte("\r\n")) {
		if n := bytes.Count(up, []byte("\n")); n != bytes.Count(up, []byte("\r\n")) {
			t.Fatalf("CRLF file got LF lines:\n%q", up)
		}
	} else if bytes.Contains(up, []byte("\r")) {
		t.Fatal("LF file got CR")
	}
	if len(bytes.TrimSpace(orig)) > 0 && bytes.HasSuffix(orig, []byte("\n")) != bytes.HasSuffix(up, []byte("\n")) {
		t.Fatalf("final newline not kept: %q", up[max(0, len(up)-10):])
	}
}

// TestStaleEntryIsUpdatedInPlace: after Patchbay moved (an update, a new install path), our
// old entry is still recognised as ours and rewritten in place, without --replace, giving
// the same bytes as a fresh upsert; status meanwhile shows it as drifted.
func TestStaleEntryIsUpdatedInPlace(t *testing.T) {
	old := NewEntry("notion", "/Applications/Patchbay.app/Contents/MacOS/Patchbay", paths.Layout{})
	for _, c := range Clients {
		cases, _ := filepath.Glob(filepath.Join("testdata", "cases", family(c), "*"))
		for _, cf := range cases {
			orig := caseInput(t, c, cf)
			stale, err := c.Upsert(orig, old, false)
			if err != nil {
				t.Fatalf("%s/%s: %v", c.ID, filepath.Base(cf), err)
			}
			fresh, err := c.Upsert(orig, goldenEntry(), false)
			if err != nil {
				t.Fatal(err)
			}
			updated, err := c.Upsert(stale, goldenEntry(), false)
			if err != nil {
				t.Fatalf("%s/%s: updating a stale entry: %v", c.ID, filepath.Base(cf), err)
			}
			if !bytes.Equal(updated, fresh) {
				t.Errorf("%s/%s: in-place update differs from a fresh upsert:\n%s\n---\n%s", c.ID, filepath.Base(cf), updated, fresh)
			}
		}
	}
}
