package clientconfig

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// startWatch runs m.Watch and returns its events and a channel that receives each time the
// watcher has re-read its set of files; the watcher stops with the test.
func startWatch(t *testing.T, m *Manager) (<-chan DriftEvent, <-chan struct{}) {
	t.Helper()
	synced := make(chan struct{}, 16)
	testHookResynced = func() { synced <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan DriftEvent, 16)
	done := make(chan error, 1)
	go func() { done <- m.Watch(ctx, func(e DriftEvent) { events <- e }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		testHookResynced = nil
	})
	waitSynced(t, synced)
	return events, synced
}

func waitSynced(t *testing.T, synced <-chan struct{}) {
	t.Helper()
	select {
	case <-synced:
	case <-time.After(5 * time.Second):
		t.Fatal("watcher did not start")
	}
}

func waitEvent(t *testing.T, events <-chan DriftEvent, within time.Duration) DriftEvent {
	t.Helper()
	select {
	case e := <-events:
		return e
	case <-time.After(within):
		t.Fatalf("no drift event within %v", within)
		return DriftEvent{}
	}
}

// removeExternally rewrites the file without our entry the way editors do: write a temp
// file and rename it over the config.
func removeExternally(t *testing.T, file string) {
	t.Helper()
	b, _ := os.ReadFile(file)
	stripped, err := cursor.Remove(b, "notion", goldenExe)
	if err != nil {
		t.Fatal(err)
	}
	tmp := file + ".editor-tmp"
	writeFile(t, tmp, string(stripped), 0o644)
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
}

func TestWatchSeesExternalRemoval(t *testing.T) {
	m := testManager(t, goldenExe)
	file, _ := cursor.Locate(m.Env)
	writeFile(t, file, otherServers, 0o644)
	if _, err := m.Connect(ConnectRequest{Target: Target{Client: "cursor"}, Connections: []string{"notion"}}); err != nil {
		t.Fatal(err)
	}
	events, _ := startWatch(t, m)
	removeExternally(t, file)
	e := waitEvent(t, events, time.Second)
	if e.Client != "cursor" || strings.Join(e.Drifted, ",") != "notion" || e.Repaired || e.Error != "" {
		t.Fatalf("event %+v", e)
	}
	if st := mustStatus(t, m, "cursor"); st.State != StateDrifted {
		t.Fatalf("status %+v", st)
	}
	if strings.Contains(readString(t, file), `"notion"`) {
		t.Fatal("auto-repair is off by default, but the entry came back")
	}
}

func TestWatchAutoRepair(t *testing.T) {
	m := testManager(t, goldenExe)
	m.AutoRepair = func(id string) bool { return id == "cursor" }
	file, _ := cursor.Locate(m.Env)
	writeFile(t, file, otherServers, 0o644)
	if _, err := m.Connect(ConnectRequest{Target: Target{Client: "cursor"}, Connections: []string{"notion"}}); err != nil {
		t.Fatal(err)
	}
	events, _ := startWatch(t, m)
	removeExternally(t, file)
	e := waitEvent(t, events, 2*time.Second)
	if !e.Repaired || strings.Join(e.Drifted, ",") != "notion" {
		t.Fatalf("event %+v", e)
	}
	if st := mustStatus(t, m, "cursor"); st.State != StateConnected {
		t.Fatalf("status after auto-repair %+v", st)
	}
	// Our own repair write is not reported as drift; a second removal is news again.
	removeExternally(t, file)
	if e := waitEvent(t, events, 2*time.Second); !e.Repaired {
		t.Fatalf("second event %+v", e)
	}
}

// TestWatchPicksUpNewConnections: files connected after Watch started are watched too.
func TestWatchPicksUpNewConnections(t *testing.T) {
	m := testManager(t, goldenExe)
	events, synced := startWatch(t, m)
	file, _ := cursor.Locate(m.Env)
	writeFile(t, file, otherServers, 0o644)
	if _, err := m.Connect(ConnectRequest{Target: Target{Client: "cursor"}, Connections: []string{"notion"}}); err != nil {
		t.Fatal(err)
	}
	waitSynced(t, synced) // the watcher has read the record and watches the folder
	removeExternally(t, file)
	if e := waitEvent(t, events, 2*time.Second); e.Client != "cursor" {
		t.Fatalf("event %+v", e)
	}
}
