package state

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/patchbay-mcp/patchbay/internal/atomicfile"
)

const crashEnv = "STATE_TEST_CRASH_MODIFY"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		// Re-run as a child: die between writing the temp file and renaming it.
		atomicfile.SetCrashHookForTest(func(string) { os.Exit(42) })
		s, err := Open(path)
		if err != nil {
			os.Exit(1)
		}
		_ = s.Modify(func(st *State) error {
			st.Connections = append(st.Connections, Connection{Name: "lost", Kind: KindStdio})
			return nil
		})
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func addConn(name, kind string, settings string) func(*State) error {
	return func(st *State) error {
		st.Connections = append(st.Connections, Connection{Name: name, Kind: kind, Settings: json.RawMessage(settings)})
		return nil
	}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Get(); len(got.Connections) != 0 || got.Version != Version {
		t.Fatalf("new store = %+v", got)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Open wrote a file before any change")
	}
	if err := s.Modify(addConn("notion", KindNotion, `{"base_url":"https://api.notion.com"}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Modify(func(st *State) error {
		c, _ := st.Connection("notion")
		c.DisabledTools = []string{"notion-create-pages"}
		st.Clients = map[string]ClientSettings{"cursor": {AutoRepair: true}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	got := s2.Get()
	c, ok := got.Connection("notion")
	if !ok || c.Kind != KindNotion || string(c.Settings) != `{"base_url":"https://api.notion.com"}` ||
		c.ToolEnabled("notion-create-pages") || !c.ToolEnabled("notion-search") || !got.Clients["cursor"].AutoRepair {
		t.Fatalf("reloaded state = %+v", got)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("state.json mode = %v, want 0600", fi.Mode().Perm())
		}
	}
}

func TestGetReturnsACopy(t *testing.T) {
	s, _ := Open(filepath.Join(t.TempDir(), "state.json"))
	s.Modify(addConn("a", KindStdio, `{}`))
	st := s.Get()
	st.Connections[0].Name = "changed"
	st.Connections[0].Settings[0] = 'X'
	if s.Get().Connections[0].Name != "a" || string(s.Get().Connections[0].Settings) != "{}" {
		t.Fatal("changing what Get returned changed the store")
	}
}

func TestModifyRejectsInvalidAndKeepsState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, _ := Open(path)
	if err := s.Modify(addConn("a", KindStdio, `{}`)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	for _, bad := range []func(*State) error{
		addConn("a", KindStdio, `{}`),      // duplicate
		addConn("Bad Name", KindStdio, ``), // invalid name
		addConn("b", "ftp", ``),            // unknown kind
		func(*State) error { return errors.New("refused") },
	} {
		if err := s.Modify(bad); err == nil {
			t.Fatal("invalid change accepted")
		}
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) || len(s.Get().Connections) != 1 {
		t.Fatal("a refused change altered the state")
	}
}

func TestConcurrentModifiesAreSerialised(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, _ := Open(path)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Modify(addConn("c"+string(rune('a'+i)), KindStdio, `{}`)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s2, err := Open(path)
	if err != nil || len(s2.Get().Connections) != 20 {
		t.Fatalf("after 20 concurrent adds: %v, %d connections", err, len(s2.Get().Connections))
	}
}

func TestSubscribeSeesChanges(t *testing.T) {
	s, _ := Open(filepath.Join(t.TempDir(), "state.json"))
	var seen []int
	cancel := s.Subscribe(func(st State) { seen = append(seen, len(st.Connections)) })
	s.Modify(addConn("a", KindStdio, `{}`))
	cancel()
	s.Modify(addConn("b", KindStdio, `{}`))
	if len(seen) != 1 || seen[0] != 1 {
		t.Fatalf("subscriber saw %v, want [1]", seen)
	}
}

func TestOutsideEditIsLoadedBeforeModify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, _ := Open(path)
	s.Modify(addConn("a", KindStdio, `{}`))
	// Someone edits the file by hand while the bridge runs.
	os.WriteFile(path, []byte(`{"version":2,"connections":[{"name":"hand","kind":"stdio","created":"2026-01-01T00:00:00Z"}]}`), 0o600)
	if err := s.Modify(addConn("b", KindStdio, `{}`)); err != nil {
		t.Fatal(err)
	}
	st := s.Get()
	if _, ok := st.Connection("hand"); !ok {
		t.Fatalf("hand edit lost: %+v", st.Connections)
	}
}

func TestCorruptFileIsKeptAndReported(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	bad := []byte("{\n  \"version\": 2,\n  \"connections\": [ oops ]\n}\n")
	os.WriteFile(path, bad, 0o600)
	_, err := Open(path)
	var ce *CorruptError
	if !errors.As(err, &ce) || !IsCorrupt(err) {
		t.Fatalf("Open = %v, want *CorruptError", err)
	}
	if ce.Line != 3 || ce.Col < 18 {
		t.Errorf("position = %d:%d, want line 3 near column 19", ce.Line, ce.Col)
	}
	if got, _ := os.ReadFile(path); string(got) != string(bad) {
		t.Fatal("the corrupt file was changed")
	}
	if got, err := os.ReadFile(ce.Aside); err != nil || string(got) != string(bad) {
		t.Fatalf("no faithful copy kept aside: %v", err)
	}
	if !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), path) {
		t.Errorf("message does not say where: %v", err)
	}
}

func TestInvalidContentIsCorrupt(t *testing.T) {
	for name, body := range map[string]string{
		"no version":     `{"connections":[]}`,
		"bad kind":       `{"version":2,"connections":[{"name":"a","kind":"ftp"}]}`,
		"duplicate name": `{"version":2,"connections":[{"name":"a","kind":"stdio"},{"name":"a","kind":"stdio"}]}`,
		"empty file":     ``,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			os.WriteFile(path, []byte(body), 0o600)
			if _, err := Open(path); !IsCorrupt(err) {
				t.Fatalf("Open = %v, want *CorruptError", err)
			}
		})
	}
}

func TestNewerVersionIsRefusedUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	body := `{"version":99,"connections":[],"future":true}`
	os.WriteFile(path, []byte(body), 0o600)
	_, err := Open(path)
	var tn *TooNewError
	if !errors.As(err, &tn) || tn.Version != 99 {
		t.Fatalf("Open = %v, want *TooNewError", err)
	}
	if got, _ := os.ReadFile(path); string(got) != body {
		t.Fatal("file changed")
	}
}

func TestMigrateFromV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	v1 := `{"version":1,"connections":{
	  "zeta":{"kind":"stdio","settings":{"command":"npx"},"created":"2026-01-01T00:00:00Z"},
	  "alpha":{"kind":"notion","settings":{"base_url":"https://api.notion.com"},"created":"2026-02-01T00:00:00Z"}}}`
	os.WriteFile(path, []byte(v1), 0o600)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st := s.Get()
	if len(st.Connections) != 2 || st.Connections[0].Name != "zeta" || st.Connections[1].Name != "alpha" {
		t.Fatalf("migrated connections (want creation order zeta, alpha) = %+v", st.Connections)
	}
	if string(st.Connections[0].Settings) != `{"command":"npx"}` || st.Connections[1].Kind != KindNotion {
		t.Fatalf("migrated content lost: %+v", st.Connections)
	}
	// The file is upgraded on the next change, not before.
	if got, _ := os.ReadFile(path); string(got) != v1 {
		t.Fatal("Open rewrote the file")
	}
	if err := s.Modify(func(*State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	data, _ := os.ReadFile(path)
	json.Unmarshal(data, &raw)
	if raw["version"].(float64) != Version {
		t.Fatalf("written version = %v", raw["version"])
	}
}

func TestCrashDuringModifyKeepsOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, _ := Open(path)
	s.Modify(addConn("kept", KindStdio, `{}`))
	old, _ := os.ReadFile(path)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 42 {
		t.Fatalf("child did not die at the crash point: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != string(old) {
		t.Fatalf("state.json after crash = %s, want the old content", got)
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st := s2.Get()
	if _, ok := st.Connection("lost"); ok {
		t.Fatal("the crashed change is visible")
	}
}
