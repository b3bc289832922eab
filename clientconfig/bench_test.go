package clientconfig

import "testing"

// BenchmarkConnectDisconnectAll connects one connection to every client (all 14 installed
// in a temporary home, each file starting with another server in it) and disconnects it
// again: the work behind "connect Notion everywhere" and its undo. Run with:
//
//	go test -run '^$' -bench ConnectDisconnectAll ./clientconfig/
func BenchmarkConnectDisconnectAll(b *testing.B) {
	m := testManager(b, goldenExe)
	for _, c := range Clients {
		f, installed := c.Locate(m.Env)
		if !installed {
			b.Fatalf("%s not installed in the test home", c.ID)
		}
		var seedFile string
		switch family(c) {
		case "json":
			seedFile = "testdata/cases/json/comments"
		case "toml":
			seedFile = "testdata/cases/toml/basic"
		case "yaml-map":
			seedFile = "testdata/cases/yaml-map/basic"
		default:
			seedFile = "testdata/cases/yaml-list/basic"
		}
		writeFile(b, f, string(caseInput(b, c, seedFile)), 0o644)
	}
	b.ResetTimer()
	for b.Loop() {
		rs, err := m.ConnectAll(ConnectAllRequest{Connections: []string{"notion"}})
		if err != nil || len(rs) != len(Clients) {
			b.Fatalf("%d results, %v", len(rs), err)
		}
		for _, r := range rs {
			if r.Error != "" || !r.Changed {
				b.Fatalf("%s: %+v", r.Client, r)
			}
		}
		if rs, err = m.DisconnectAll(false); err != nil {
			b.Fatal(err)
		}
		for _, r := range rs {
			if r.Error != "" || !r.Changed {
				b.Fatalf("%s: %+v", r.Client, r)
			}
		}
	}
}

// BenchmarkUpsertJSON is the pure edit alone, on a commented JSONC file.
func BenchmarkUpsertJSON(b *testing.B) {
	c, _ := Lookup("vscode")
	in := caseInput(b, c, "testdata/cases/json/comments")
	for b.Loop() {
		if _, err := c.Upsert(in, goldenEntry(), false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEditsAllClients is the pure part of BenchmarkConnectDisconnectAll: Upsert then
// Remove on every client's seed file in memory, no file I/O. The difference between the two
// is the disk (two fsyncs per atomic write).
func BenchmarkEditsAllClients(b *testing.B) {
	inputs := map[*Client][]byte{}
	for _, c := range Clients {
		seedFile := map[string]string{"json": "testdata/cases/json/comments", "toml": "testdata/cases/toml/basic",
			"yaml-map": "testdata/cases/yaml-map/basic", "yaml-list": "testdata/cases/yaml-list/basic"}[family(c)]
		inputs[c] = caseInput(b, c, seedFile)
	}
	for b.Loop() {
		for c, in := range inputs {
			up, err := c.Upsert(in, goldenEntry(), false)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.Remove(up, "notion", goldenExe); err != nil {
				b.Fatal(err)
			}
		}
	}
}
