package clientconfig

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/tailscale/hujson"
)

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// seed adds every case and golden of the client's format to the corpus.
func seed(f *testing.F, c *Client) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "cases", family(c), "*"))
	for _, cf := range cases {
		f.Add(caseInput(f, c, cf), "notion")
		f.Add(caseInput(f, c, cf), "github")
	}
	goldens, _ := filepath.Glob(filepath.Join("testdata", "golden", c.ID, "*", "after-upsert"))
	for _, g := range goldens {
		b, _ := os.ReadFile(g)
		f.Add(b, "notion")
	}
}

// comments lists the comments of a document: JSON comments from hujson's syntax tree, or
// the comment lines of YAML and TOML.
func comments(c *Client, body []byte) []string {
	var out []string
	if c.Format == YAML || c.Format == TOML {
		for _, l := range strings.Split(string(body), "\n") {
			if t := strings.TrimSpace(l); strings.HasPrefix(t, "#") {
				out = append(out, t)
			}
		}
		return out
	}
	v, err := hujson.Parse(bytes.Clone(body))
	if err != nil {
		return nil
	}
	add := func(e hujson.Extra) {
		s := string(e)
		for _, part := range regexp.MustCompile(`(?s)//[^\n]*|/\*.*?\*/`).FindAllString(s, -1) {
			out = append(out, strings.TrimRight(part, "\r"))
		}
	}
	add(v.BeforeExtra)
	add(v.AfterExtra)
	for x := range v.All() {
		add(x.BeforeExtra)
		add(x.AfterExtra)
		switch t := x.Value.(type) {
		case *hujson.Object:
			add(t.AfterExtra)
		case *hujson.Array:
			add(t.AfterExtra)
		}
	}
	return out
}

// checkTransforms is the property every format's edits keep, for any input:
//   - input that does not parse is refused with a *SyntaxError (or *ShapeError), never written;
//   - an edit never fails its own verification (that would be a bug);
//   - after Upsert the file parses, holds exactly our entry under the name, and every
//     other value and every comment of the original;
//   - Upsert∘Upsert = Upsert byte for byte; Remove∘Upsert gives back the original's data.
func checkTransforms(t *testing.T, c *Client, orig []byte, name string) {
	if !validName.MatchString(name) {
		return
	}
	e := NewEntry(name, goldenExe, testLayout)
	up, err := c.Upsert(orig, e, false)
	if err != nil {
		var se *SyntaxError
		var sh *ShapeError
		if errors.Is(err, errVerify) {
			t.Fatalf("upsert failed its own verification on:\n%q", orig)
		}
		if errors.As(err, &se) || errors.As(err, &sh) || IsConflict(err) {
			return
		}
		t.Fatalf("upsert: untyped error %v", err)
	}
	_, ob := detectStyle(orig)
	od, err := c.editor().decode(ob)
	if err != nil {
		t.Fatalf("upsert accepted input that does not decode: %v", err)
	}
	_, had := c.find(normalize(od), name)
	up2, err := c.Upsert(up, e, false)
	if err != nil || !bytes.Equal(up, up2) {
		t.Fatalf("upsert not idempotent (%v):\n%q\n%q", err, up, up2)
	}
	found, err := c.Entries(up, goldenExe)
	if err != nil {
		t.Fatalf("upsert output does not parse: %v\n%q", err, up)
	}
	ok := false
	for _, f := range found {
		if f.Name == name && f.Ours && reflect.DeepEqual(f.Value, plain(c.Shape.build(e))) {
			ok = true
		}
	}
	if !ok {
		t.Fatalf("our entry missing after upsert:\n%q", up)
	}
	if had {
		return // an existing entry was replaced: its own comments may go with it
	}
	for _, cm := range comments(c, ob) {
		if !bytes.Contains(up, []byte(cm)) {
			t.Fatalf("comment %q lost:\n%q", cm, up)
		}
	}
	rm, err := c.Remove(up, name, goldenExe)
	if errors.Is(err, errVerify) {
		t.Fatalf("remove failed its own verification on:\n%q", up)
	}
	if err != nil {
		t.Fatalf("remove: %v", err)
	}
	_, rb := detectStyle(rm)
	rd, err := c.editor().decode(rb)
	if err != nil {
		t.Fatalf("remove output does not parse: %v", err)
	}
	if !reflect.DeepEqual(c.dropEmptyServers(normalize(od)), c.dropEmptyServers(normalize(rd))) {
		t.Fatalf("remove∘upsert changed the data:\n%q\n%q", orig, rm)
	}
	for _, cm := range comments(c, ob) {
		if !bytes.Contains(rm, []byte(cm)) {
			t.Fatalf("comment %q lost by remove:\n%q", cm, rm)
		}
	}
}

func fuzzClient(f *testing.F, id string) {
	c, _ := Lookup(id)
	seed(f, c)
	f.Fuzz(func(t *testing.T, orig []byte, name string) { checkTransforms(t, c, orig, name) })
}

func FuzzJSON(f *testing.F)     { fuzzClient(f, "claude-code") }
func FuzzJSONC(f *testing.F)    { fuzzClient(f, "opencode") }
func FuzzTOML(f *testing.F)     { fuzzClient(f, "codex") }
func FuzzYAMLMap(f *testing.F)  { fuzzClient(f, "goose") }
func FuzzYAMLList(f *testing.F) { fuzzClient(f, "continue") }
