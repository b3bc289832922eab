package clientconfig

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlEditor edits YAML (Goose, Continue) as text, at the line positions yaml.v3's node tree
// reports, so comments, blank lines, quoting and order elsewhere stay byte for byte.
// Re-encoding a yaml.v3 node tree would keep comments but re-flow the whole file (indents,
// blank lines, quoting), which is the clobbering users complain about. Only block-style
// collections are edited; a servers key written in flow style ({...}) with content is
// refused, and an empty one ({}, [], null) is replaced by a block.
type yamlEditor struct{}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func (yamlEditor) decode(body []byte) (any, error) {
	var out any
	if err := yaml.Unmarshal(body, &out); err != nil {
		line := 1
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		return nil, &SyntaxError{Line: line, Column: 1, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	switch out.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return out, nil
	default:
		return nil, &ShapeError{Msg: "the file's top level is not a YAML mapping"}
	}
}

// yamlRoot returns the root mapping node, or nil for an empty document.
func yamlRoot(body []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" && root.Value == "" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode || root.Style&yaml.FlowStyle != 0 {
		return nil, &ShapeError{Msg: "the file's top level is not a block-style YAML mapping"}
	}
	return root, nil
}

// yamlScalar renders a scalar, plain when YAML allows it.
func yamlScalar(v any) string {
	b, err := yaml.Marshal(v)
	s := strings.TrimSuffix(string(b), "\n")
	if err != nil || strings.Contains(s, "\n") {
		return renderJSON(v, "", "", "", oneLine)
	}
	return s
}

// renderYAML renders o as block YAML lines, each starting with ind.
func renderYAML(o object, ind, unit string) []string {
	var out []string
	for _, f := range o {
		k := yamlScalar(f.K)
		switch v := f.V.(type) {
		case object:
			if len(v) == 0 {
				out = append(out, ind+k+": {}")
				continue
			}
			out = append(out, ind+k+":")
			out = append(out, renderYAML(v, ind+unit, unit)...)
		case []string:
			if len(v) == 0 {
				out = append(out, ind+k+": []")
				continue
			}
			out = append(out, ind+k+":")
			for _, s := range v {
				out = append(out, ind+unit+"- "+yamlScalar(s))
			}
		default:
			out = append(out, ind+k+": "+yamlScalar(v))
		}
	}
	return out
}

// renderYAMLItem renders o as a sequence item whose first line starts with dash ("  - ").
func renderYAMLItem(o object, dash, unit string) []string {
	pad := strings.Repeat(" ", len(dash))
	ls := renderYAML(o, "", unit)
	for i := range ls {
		if i == 0 {
			ls[i] = dash + ls[i]
		} else {
			ls[i] = pad + ls[i]
		}
	}
	return ls
}

// yamlEntry is the servers key and the span of the document it owns.
type yamlSpans struct {
	lines    []string
	root     *yaml.Node
	keyIdx   int // index of the servers key in root.Content, -1 when missing
	valueEnd int // exclusive line index where the servers value ends
}

func yamlLocate(body []byte, key string) (*yamlSpans, error) {
	// YAML also breaks lines at a lone CR; our line arithmetic counts LF only.
	if strings.Contains(strings.ReplaceAll(string(body), "\r\n", ""), "\r") {
		return nil, &ShapeError{Msg: "the file has lone CR line breaks; convert it to LF or CRLF line endings"}
	}
	root, err := yamlRoot(body)
	if err != nil {
		return nil, err
	}
	s := &yamlSpans{lines: splitLines(string(body)), root: root, keyIdx: -1}
	if root == nil {
		return s, nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			s.keyIdx = i
		}
	}
	if s.keyIdx >= 0 {
		end := len(s.lines)
		if s.keyIdx+2 < len(root.Content) {
			end = root.Content[s.keyIdx+2].Line - 1
		}
		s.valueEnd = trimSpan(s.lines, root.Content[s.keyIdx].Line-1, end)
	}
	return s, nil
}

// itemSpans returns, for each child of a block collection, its lines [start, end).
func itemSpans(lines []string, starts []int, end int) [][2]int {
	out := make([][2]int, len(starts))
	for i, s := range starts {
		e := end
		if i+1 < len(starts) {
			e = starts[i+1]
		}
		out[i] = [2]int{s, trimSpan(lines, s, e)}
	}
	return out
}

// children returns the start lines (0-based) of a block collection's entries and the
// entry index named name (-1 when absent).
func children(v *yaml.Node, name string) (starts []int, idx int) {
	idx = -1
	if v.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(v.Content); i += 2 {
			starts = append(starts, v.Content[i].Line-1)
			if v.Content[i].Value == name {
				idx = i / 2
			}
		}
		return starts, idx
	}
	for i, it := range v.Content {
		starts = append(starts, it.Line-1)
		if it.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(it.Content); j += 2 {
				if it.Content[j].Value == "name" && it.Content[j+1].Value == name {
					idx = i
				}
			}
		}
	}
	return starts, idx
}

func emptyYAML(v *yaml.Node) bool {
	return (v.Kind == yaml.ScalarNode && v.Tag == "!!null") ||
		((v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) && len(v.Content) == 0)
}

func (yamlEditor) set(body []byte, st style, key, name string, want object, list bool) ([]byte, error) {
	s, err := yamlLocate(body, key)
	if err != nil {
		return nil, err
	}
	lines := s.lines
	entry := func(ind string) []string {
		if list {
			return renderYAMLItem(want, ind+"- ", st.unit)
		}
		return append([]string{ind + yamlScalar(name) + ":"}, renderYAML(want, ind+st.unit, st.unit)...)
	}
	if s.keyIdx < 0 {
		text := ensureNL(string(body), st.nl)
		if strings.TrimSpace(text) == "" {
			text = ""
		}
		ind := ""
		if s.root != nil && len(s.root.Content) > 0 {
			ind = strings.Repeat(" ", s.root.Content[0].Column-1)
		}
		block := append([]string{ind + yamlScalar(key) + ":"}, entry(ind+st.unit)...)
		return []byte(text + joinLines(block, st.nl)), nil
	}
	k, v := s.root.Content[s.keyIdx], s.root.Content[s.keyIdx+1]
	keyLine := k.Line - 1
	if emptyYAML(v) {
		// Rewrite "key: {}" / "key: null" / "key:" as "key:" and put the block below it.
		head := content(lines[keyLine])
		colon := strings.Index(head[k.Column-1:], ":")
		if colon < 0 {
			return nil, &ShapeError{Msg: fmt.Sprintf("cannot find the colon after %q", key)}
		}
		prefix := head[:k.Column-1+colon+1]
		comment := ""
		if i := strings.Index(head[len(prefix):], " #"); i >= 0 {
			comment = head[len(prefix)+i:]
		}
		if v.Line-1 != keyLine && !(v.Kind == yaml.ScalarNode && v.Value == "") {
			return nil, &ShapeError{Msg: fmt.Sprintf("%q has an empty value on its own line; write %q on one line", key, key+": {}")}
		}
		ind := strings.Repeat(" ", k.Column-1) + st.unit
		block := append([]string{prefix + comment}, entry(ind)...)
		return []byte(strings.Join(lines[:keyLine], "") + joinLines(block, st.nl) + strings.Join(lines[keyLine+1:], "")), nil
	}
	wantKind := yaml.MappingNode
	if list {
		wantKind = yaml.SequenceNode
	}
	if v.Kind != wantKind {
		return nil, &ShapeError{Msg: fmt.Sprintf("%q is not a %s", key, map[bool]string{false: "mapping", true: "list"}[list])}
	}
	if v.Style&yaml.FlowStyle != 0 {
		return nil, &ShapeError{Msg: fmt.Sprintf("%q is written in flow style ({...} or [...]); Patchbay edits block style only", key)}
	}
	starts, idx := children(v, name)
	spans := itemSpans(lines, starts, s.valueEnd)
	var ind string
	if list {
		first := content(lines[starts[0]])
		dash := strings.Index(first, "- ")
		if dash < 0 || strings.TrimSpace(first[:dash]) != "" {
			return nil, &ShapeError{Msg: fmt.Sprintf("the items of %q do not start with \"- \" on their first line; Patchbay cannot edit this layout", key)}
		}
		ind = first[:dash]
	} else {
		ind = strings.Repeat(" ", v.Content[0].Column-1)
	}
	block := joinLines(entry(ind), st.nl)
	if idx >= 0 {
		sp := spans[idx]
		return []byte(strings.Join(lines[:sp[0]], "") + block + strings.Join(lines[sp[1]:], "")), nil
	}
	at := spans[len(spans)-1][1]
	before := strings.Join(lines[:at], "")
	return []byte(ensureNL(before, st.nl) + block + strings.Join(lines[at:], "")), nil
}

func (yamlEditor) del(body []byte, st style, key, name string, list bool) ([]byte, error) {
	s, err := yamlLocate(body, key)
	if err != nil {
		return nil, err
	}
	if s.keyIdx < 0 {
		return body, nil
	}
	v := s.root.Content[s.keyIdx+1]
	if emptyYAML(v) || v.Style&yaml.FlowStyle != 0 || (v.Kind != yaml.MappingNode && v.Kind != yaml.SequenceNode) {
		return body, nil
	}
	starts, idx := children(v, name)
	if idx < 0 {
		return body, nil
	}
	lines := s.lines
	sp := itemSpans(lines, starts, s.valueEnd)[idx]
	if len(starts) == 1 {
		// Our entry was the only one: leave "key: {}" (or []) rather than a null.
		k := s.root.Content[s.keyIdx]
		keyLine := k.Line - 1
		head := content(lines[keyLine])
		colon := strings.Index(head[k.Column-1:], ":")
		empty := "{}"
		if list {
			empty = "[]"
		}
		prefix := head[:k.Column-1+colon+1]
		rest := head[len(prefix):]
		newHead := prefix + " " + empty + rest
		out := strings.Join(lines[:keyLine], "") + newHead + st.nl + strings.Join(lines[keyLine+1:sp[0]], "") + strings.Join(lines[sp[1]:], "")
		return []byte(out), nil
	}
	return []byte(strings.Join(lines[:sp[0]], "") + strings.Join(lines[sp[1]:], "")), nil
}
