package clientconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tailscale/hujson"
)

// jsonEditor edits JSON and JSONC (comments, trailing commas) through hujson's syntax tree.
// It never re-formats: it computes byte offsets from the tree and splices in only our text.
type jsonEditor struct{}

func (jsonEditor) decode(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	// Standardize rewrites comments to spaces in place, and a parsed Value aliases its
	// input: parse a copy so the caller's bytes are never touched.
	v, err := hujson.Parse(bytes.Clone(body))
	if err != nil {
		return nil, hujsonSyntaxError(err)
	}
	v.Standardize()
	var out any
	if err := json.Unmarshal(v.Pack(), &out); err != nil {
		return nil, &SyntaxError{Line: 1, Column: 1, Msg: err.Error()}
	}
	return out, nil
}

// hujsonSyntaxError turns hujson's "hujson: line L, column C: msg" into a SyntaxError.
func hujsonSyntaxError(err error) error {
	var line, col int
	var msg string
	s := err.Error()
	if n, _ := fmt.Sscanf(s, "hujson: line %d, column %d:", &line, &col); n == 2 {
		if i := bytes.IndexByte([]byte(s), ':'); i >= 0 {
			rest := s[i+1:]
			if j := bytes.IndexByte([]byte(rest), ':'); j >= 0 {
				msg = string(bytes.TrimSpace([]byte(rest[j+1:])))
			}
		}
		return &SyntaxError{Line: line, Column: col, Msg: msg}
	}
	return &SyntaxError{Line: 1, Column: 1, Msg: s}
}

// parseRoot parses body (whitespace-only counts as "{}") and returns its root object.
func parseRoot(body []byte) ([]byte, hujson.Value, *hujson.Object, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}\n")
	}
	v, err := hujson.Parse(body)
	if err != nil {
		return nil, v, nil, hujsonSyntaxError(err)
	}
	obj, ok := v.Value.(*hujson.Object)
	if !ok {
		return nil, v, nil, &ShapeError{Msg: "the file's top level is not a JSON object"}
	}
	return body, v, obj, nil
}

// findMember returns the index of the last member named key (the one JSON decoders use), or -1.
func findMember(obj *hujson.Object, key string) int {
	idx := -1
	for i, m := range obj.Members {
		if lit, ok := m.Name.Value.(hujson.Literal); ok && lit.String() == key {
			idx = i
		}
	}
	return idx
}

func (jsonEditor) set(body []byte, st style, key, name string, want object) ([]byte, error) {
	body, root, rootObj, err := parseRoot(body)
	if err != nil {
		return nil, err
	}
	var edits []edit
	i := findMember(rootObj, key)
	switch {
	case i < 0:
		edits = insertMember(body, &root, key, object{{name, want}}, st)
	default:
		sv := &rootObj.Members[i].Value
		switch so := sv.Value.(type) {
		case *hujson.Object:
			if j := findMember(so, name); j >= 0 {
				edits = replaceValue(body, sv, &so.Members[j], want, st)
			} else {
				edits = insertMember(body, sv, name, want, st)
			}
		case hujson.Literal:
			if so.Kind() != 'n' {
				return nil, &ShapeError{Msg: fmt.Sprintf("%q is not an object", key)}
			}
			edits = replaceValue(body, &root, &rootObj.Members[i], object{{name, want}}, st)
		default:
			return nil, &ShapeError{Msg: fmt.Sprintf("%q is not an object", key)}
		}
	}
	return applyEdits(body, edits...), nil
}

func (jsonEditor) del(body []byte, st style, key, name string) ([]byte, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return body, nil
	}
	body, _, rootObj, err := parseRoot(body)
	if err != nil {
		return nil, err
	}
	i := findMember(rootObj, key)
	if i < 0 {
		return body, nil
	}
	sv := &rootObj.Members[i].Value
	so, ok := sv.Value.(*hujson.Object)
	if !ok {
		return body, nil
	}
	j := findMember(so, name)
	if j < 0 {
		return body, nil
	}
	return applyEdits(body, removeMember(body, sv, j)...), nil
}

// leadingWS returns the whitespace at the start of the line holding off.
func leadingWS(b []byte, off int) string {
	ls := lineStart(b, off)
	e := ls
	for e < len(b) && (b[e] == ' ' || b[e] == '\t') {
		e++
	}
	return string(b[ls:e])
}

// newlinesOutsideComments returns the offsets in extra of newlines that are not inside a
// block comment (the newline ending a line comment counts).
func newlinesOutsideComments(extra []byte) []int {
	var out []int
	for i := 0; i < len(extra); i++ {
		switch {
		case extra[i] == '\n':
			out = append(out, i)
		case bytes.HasPrefix(extra[i:], []byte("/*")):
			end := bytes.Index(extra[i+2:], []byte("*/"))
			if end < 0 {
				return out
			}
			i += 2 + end + 1
		case bytes.HasPrefix(extra[i:], []byte("//")):
			end := bytes.IndexByte(extra[i:], '\n')
			if end < 0 {
				return out
			}
			i += end - 1
		}
	}
	return out
}

// layoutOf says how an object's text is laid out: on several lines, on one line, or on one
// line without spaces after colons and commas (minified).
func layoutOf(span []byte) layout {
	switch {
	case bytes.Contains(span, []byte("\n")):
		return multiLine
	case bytes.Contains(span, []byte(": ")) || bytes.Contains(span, []byte(", ")):
		return oneLine
	default:
		return tight
	}
}

func isBlank(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

// insertMember returns the edits that add "key": val as the last member of the object ov.
func insertMember(body []byte, ov *hujson.Value, key string, val any, st style) []edit {
	obj := ov.Value.(*hujson.Object)
	open, closing := ov.StartOffset, ov.EndOffset-1
	closeInd := leadingWS(body, open)
	lay := layoutOf(body[open : closing+1])
	compact := len(obj.Members) > 0 && lay != multiLine
	if !compact {
		lay = multiLine
	}
	memberInd := closeInd + st.unit
	if len(obj.Members) > 0 {
		if ws, lead := indentBefore(body, obj.Members[0].Name.StartOffset); lead {
			memberInd = ws
		}
	}
	colon, comma := ": ", ", "
	if lay == tight {
		colon, comma = ":", ","
	}
	member := jsonString(key) + colon + renderJSON(val, memberInd, st.unit, st.nl, lay)
	if len(obj.Members) == 0 {
		inner := body[open+1 : closing]
		if isBlank(inner) {
			return []edit{{open + 1, len(inner), st.nl + memberInd + member + st.nl + closeInd}}
		}
		if nls := newlinesOutsideComments(inner); len(nls) > 0 {
			return []edit{{open + 1 + nls[len(nls)-1] + 1, 0, memberInd + member + st.nl}}
		}
		return []edit{{closing, 0, " " + member + " "}}
	}
	last := &obj.Members[len(obj.Members)-1].Value
	trailing := last.AfterExtra != nil
	after := obj.AfterExtra
	afterStart := closing - len(after)
	commaPos := last.EndOffset + len(last.AfterExtra)
	if compact {
		if trailing {
			return []edit{{commaPos + 1, 0, strings.TrimPrefix(comma, ",") + member + ","}}
		}
		return []edit{{last.EndOffset, 0, comma + member}}
	}
	if nls := newlinesOutsideComments(after); len(nls) > 0 {
		pos := afterStart + nls[0] + 1
		if trailing {
			return []edit{{pos, 0, memberInd + member + "," + st.nl}}
		}
		return []edit{{last.EndOffset, 0, ","}, {pos, 0, memberInd + member + st.nl}}
	}
	if trailing {
		return []edit{{commaPos + 1, 0, st.nl + memberInd + member + ","}}
	}
	return []edit{{last.EndOffset, 0, "," + st.nl + memberInd + member}}
}

// replaceValue returns the edit that replaces member m's value (m is in the object ov).
func replaceValue(body []byte, ov *hujson.Value, m *hujson.ObjectMember, val any, st style) []edit {
	ind := leadingWS(body, m.Name.StartOffset)
	text := renderJSON(val, ind, st.unit, st.nl, layoutOf(body[ov.StartOffset:ov.EndOffset]))
	return []edit{{m.Value.StartOffset, m.Value.EndOffset - m.Value.StartOffset, text}}
}

// removeMember returns the edits that delete member i of the object ov. Whole lines are
// removed when the member has its lines to itself; comments around it are kept.
func removeMember(body []byte, ov *hujson.Value, i int) []edit {
	obj := ov.Value.(*hujson.Object)
	open, closing := ov.StartOffset, ov.EndOffset-1
	n := len(obj.Members)
	m := obj.Members[i]
	start, valEnd := m.Name.StartOffset, m.Value.EndOffset
	hasComma := i < n-1 || m.Value.AfterExtra != nil
	end := valEnd
	if hasComma {
		end = valEnd + len(m.Value.AfterExtra) + 1
	}
	_, lead := indentBefore(body, start)
	tail := end
	for tail < len(body) && (body[tail] == ' ' || body[tail] == '\t' || body[tail] == '\r') {
		tail++
	}
	isolated := lead && tail < len(body) && body[tail] == '\n'
	var edits []edit
	delStart, delEnd := start, end
	if isolated {
		delStart, delEnd = lineStart(body, start), tail+1
	} else {
		for delEnd < len(body) && (body[delEnd] == ' ' || body[delEnd] == '\t') && hasComma {
			delEnd++
		}
	}
	if i == n-1 && !hasComma && n > 1 {
		prev := obj.Members[i-1].Value
		prevComma := prev.EndOffset + len(prev.AfterExtra)
		if !isolated && isBlank(body[prevComma+1:start]) {
			return []edit{{prevComma, valEnd - prevComma, ""}}
		}
		edits = append(edits, edit{prevComma, 1, ""})
	}
	if n == 1 {
		inner := append(append([]byte{}, body[open+1:delStart]...), body[delEnd:closing]...)
		if isBlank(inner) {
			return []edit{{open + 1, closing - open - 1, ""}}
		}
	}
	return append(edits, edit{delStart, delEnd - delStart, ""})
}
