package clientconfig

import (
	"bytes"
	"reflect"
)

// editor is one file format's byte-level editing. Its methods get the body without a BOM
// and return a body; they need not check their result, Client.Upsert and Client.Remove do.
type editor interface {
	// decode returns the document as generic data (an empty file is an empty object).
	decode(body []byte) (any, error)
	// set adds or replaces the server name under key.
	set(body []byte, st style, key, name string, want object, list bool) ([]byte, error)
	// del removes the server name under key; a missing one is no change.
	del(body []byte, st style, key, name string, list bool) ([]byte, error)
}

// jsonAdapter fits jsonEditor (which has no lists) to editor.
type jsonAdapter struct{ jsonEditor }

func (a jsonAdapter) set(body []byte, st style, key, name string, want object, _ bool) ([]byte, error) {
	return a.jsonEditor.set(body, st, key, name, want)
}

func (a jsonAdapter) del(body []byte, st style, key, name string, _ bool) ([]byte, error) {
	return a.jsonEditor.del(body, st, key, name)
}

func (c *Client) editor() editor {
	switch c.Format {
	case YAML:
		return yamlEditor{}
	case TOML:
		return tomlEditor{}
	default:
		return jsonAdapter{}
	}
}

// Found is a server entry found in a config file.
type Found struct {
	Name  string
	Value any  // decoded entry
	Ours  bool // Patchbay's entry for a connection of the same name
}

// servers returns the entries under the client's servers key in a decoded document.
func (c *Client) servers(doc any) []Found {
	root, _ := doc.(map[string]any)
	var out []Found
	switch s := root[c.Servers].(type) {
	case map[string]any:
		for _, k := range sortedAnyKeys(s) {
			out = append(out, Found{Name: k, Value: s[k]})
		}
	case []any:
		if c.List {
			for _, it := range s {
				if m, ok := it.(map[string]any); ok {
					if n, ok := m["name"].(string); ok {
						out = append(out, Found{Name: n, Value: it})
					}
				}
			}
		}
	}
	return out
}

func sortedAnyKeys(m map[string]any) []string {
	s := make(map[string]string, len(m))
	for k := range m {
		s[k] = k
	}
	return sortedKeys(s)
}

// withServer returns doc with the server name set to want (want nil: removed). doc is not
// modified.
func (c *Client) withServer(doc any, name string, want any) any {
	root := map[string]any{}
	if m, ok := doc.(map[string]any); ok {
		for k, v := range m {
			root[k] = v
		}
	}
	if c.List {
		var items []any
		replaced := false
		old, _ := root[c.Servers].([]any)
		for _, it := range old {
			if m, ok := it.(map[string]any); ok && m["name"] == name {
				if want != nil && !replaced {
					items = append(items, want)
				}
				replaced = true
				continue
			}
			items = append(items, it)
		}
		if want != nil && !replaced {
			items = append(items, want)
		}
		if items == nil && root[c.Servers] == nil && want == nil {
			return root
		}
		if items == nil {
			items = []any{}
		}
		root[c.Servers] = items
		return root
	}
	servers := map[string]any{}
	old, ok := root[c.Servers].(map[string]any)
	if !ok && want == nil {
		return root
	}
	for k, v := range old {
		servers[k] = v
	}
	if want == nil {
		delete(servers, name)
	} else {
		servers[name] = want
	}
	root[c.Servers] = servers
	return root
}

// Entries lists the servers in content, marking Patchbay's own (exe is the binary Patchbay
// writes, used with the base name "patchbay" to recognise our entries).
func (c *Client) Entries(content []byte, exe string) ([]Found, error) {
	_, body := detectStyle(content)
	doc, err := c.editor().decode(body)
	if err != nil {
		return nil, err
	}
	fs := c.servers(normalize(doc))
	for i := range fs {
		fs[i].Ours = c.Shape.ours(fs[i].Value, fs[i].Name, exe)
	}
	return fs, nil
}

func (c *Client) find(doc any, name string) (Found, bool) {
	for _, f := range c.servers(doc) {
		if f.Name == name {
			return f, true
		}
	}
	return Found{}, false
}

// Upsert returns content with Patchbay's entry e in the client's servers. It is a pure
// function and idempotent: when the entry is already there as wanted, content is returned
// unchanged (byte for byte). Only the bytes of our entry change; comments, other keys, order,
// line endings, BOM, indentation and the final newline are kept. An entry named e.Name that
// is not Patchbay's is a *ConflictError unless replace is set. Content that does not parse is
// a *SyntaxError (with line and column); content laid out unlike the client's documented
// format is a *ShapeError.
func (c *Client) Upsert(content []byte, e Entry, replace bool) ([]byte, error) {
	st, body := detectStyle(content)
	ed := c.editor()
	doc, err := ed.decode(body)
	if err != nil {
		return nil, err
	}
	doc = normalize(doc)
	want := c.Shape.build(e)
	if cur, ok := c.find(doc, e.Name); ok {
		if reflect.DeepEqual(cur.Value, plain(want)) {
			return content, nil
		}
		if !replace && !c.Shape.ours(cur.Value, e.Name, e.Command) {
			return nil, &ConflictError{Name: e.Name}
		}
	}
	out, err := ed.set(body, st, c.Servers, e.Name, want, c.List)
	if err != nil {
		return nil, err
	}
	if !st.finalNL && !isBlank(body) {
		// Appending at the end added a newline the file did not have.
		out = bytes.TrimSuffix(bytes.TrimSuffix(out, []byte("\n")), []byte("\r"))
	}
	if err := c.verify(ed, out, c.withServer(doc, e.Name, plain(want))); err != nil {
		return nil, err
	}
	return st.finish(out), nil
}

// Remove returns content without the server named name, if it is Patchbay's (exe as in
// Entries). It is pure and idempotent: with no such entry, content is returned unchanged. An
// entry of that name that is not Patchbay's is a *ConflictError and is left in place.
func (c *Client) Remove(content []byte, name, exe string) ([]byte, error) {
	st, body := detectStyle(content)
	ed := c.editor()
	doc, err := ed.decode(body)
	if err != nil {
		return nil, err
	}
	doc = normalize(doc)
	cur, ok := c.find(doc, name)
	if !ok {
		return content, nil
	}
	if !c.Shape.ours(cur.Value, name, exe) {
		return nil, &ConflictError{Name: name}
	}
	out, err := ed.del(body, st, c.Servers, name, c.List)
	if err != nil {
		return nil, err
	}
	if err := c.verify(ed, out, c.withServer(doc, name, nil)); err != nil {
		return nil, err
	}
	return st.finish(out), nil
}

// verify decodes out and checks it is exactly want. For JSON and TOML a mismatch is a bug
// (errVerify). YAML has layouts the line-based editor does not model (explicit "? " keys,
// UTF-16, odd indentation); there a mismatch is reported as a *ShapeError asking for a hand
// edit. Either way nothing is written.
func (c *Client) verify(ed editor, out []byte, want any) error {
	got, err := ed.decode(out)
	if err == nil && reflect.DeepEqual(c.dropEmptyServers(normalize(got)), c.dropEmptyServers(normalize(want))) {
		return nil
	}
	if c.Format == TOML && err != nil {
		// Our table appended next to a definition the textual edit did not see (say the
		// server written inline under [mcp_servers]) makes a duplicate key.
		return &ShapeError{Msg: "the server is defined in a form Patchbay cannot edit in place (an inline table or dotted keys?); edit it by hand"}
	}
	if c.Format == YAML {
		return &ShapeError{Msg: "Patchbay cannot edit this YAML layout without touching other lines; add the entry by hand"}
	}
	return errVerify
}

// dropEmptyServers removes an empty or null servers key from a normalized document: to a
// client it means the same as no key, and a textual remove may leave either.
func (c *Client) dropEmptyServers(doc any) any {
	m, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	switch s := m[c.Servers].(type) {
	case nil:
		delete(m, c.Servers)
	case map[string]any:
		if len(s) == 0 {
			delete(m, c.Servers)
		}
	case []any:
		if len(s) == 0 {
			delete(m, c.Servers)
		}
	}
	return m
}
