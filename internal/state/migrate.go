package state

import (
	"encoding/json"
	"fmt"
	"sort"
)

// migrations upgrades a decoded state.json one version at a time: migrations[v] turns a
// version v document into version v+1. Documents are handled as generic JSON so that an old
// shape never needs a Go type of its own.
var migrations = map[int]func(doc map[string]any) error{
	1: migrate1to2,
}

// migrate1to2: version 1 kept connections in an object keyed by name, which lost the user's
// order (the tray lists connections in the order they were added) and made renames awkward.
// Version 2 keeps a list, in creation order (names break ties), with the name inside.
func migrate1to2(doc map[string]any) error {
	old, _ := doc["connections"].(map[string]any)
	type named struct {
		name string
		c    map[string]any
	}
	var list []named
	for name, v := range old {
		c, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("connection %q is not an object", name)
		}
		c["name"] = name
		list = append(list, named{name, c})
	}
	sort.Slice(list, func(i, j int) bool {
		ci, _ := list[i].c["created"].(string)
		cj, _ := list[j].c["created"].(string)
		if ci != cj {
			return ci < cj
		}
		return list[i].name < list[j].name
	})
	conns := make([]any, 0, len(list))
	for _, n := range list {
		conns = append(conns, n.c)
	}
	doc["connections"] = conns
	return nil
}

// upgrade decodes data, runs every migration from its version to Version, and returns the
// result re-encoded. A version newer than this build knows is a *TooNewError.
func upgrade(data []byte) ([]byte, int, error) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, 0, err
	}
	vf, ok := doc["version"].(float64)
	if !ok || vf < 1 || vf != float64(int(vf)) {
		return nil, 0, fmt.Errorf("missing or invalid \"version\"")
	}
	from := int(vf)
	if from > Version {
		return nil, from, &TooNewError{Version: from}
	}
	for v := from; v < Version; v++ {
		m, ok := migrations[v]
		if !ok {
			return nil, from, fmt.Errorf("no migration from version %d", v)
		}
		if err := m(doc); err != nil {
			return nil, from, fmt.Errorf("upgrading from version %d: %w", v, err)
		}
		doc["version"] = v + 1
	}
	out, err := json.Marshal(doc)
	return out, from, err
}
