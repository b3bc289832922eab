package clientconfig

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// tomlEditor edits TOML (Codex) by a minimal textual edit of our own table,
// [mcp_servers.NAME], checked by decoding the result with BurntSushi/toml.
//
// Why textual: no Go TOML library round-trips comments and layout (BurntSushi/toml and
// pelletier/go-toml v2 both re-encode from data, dropping comments; go-toml's v1 tree API is
// unmaintained), and our table is a self-contained block of lines, so adding, replacing or
// deleting exactly those lines keeps every other byte. The decode check in Client.Upsert and
// Client.Remove refuses any result whose data is not exactly what was intended (for example
// when mcp_servers is an inline table we cannot extend).
type tomlEditor struct{}

func (tomlEditor) decode(body []byte) (any, error) {
	m := map[string]any{}
	if _, err := toml.Decode(string(body), &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &SyntaxError{Line: pe.Position.Line, Column: max(pe.Position.Col, 1), Msg: pe.Message}
		}
		return nil, &SyntaxError{Line: 1, Column: 1, Msg: err.Error()}
	}
	return m, nil
}

var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// tomlKey renders a key, quoted when it is not bare.
func tomlKey(k string) string {
	if bareKey.MatchString(k) {
		return k
	}
	return jsonString(k)
}

// tomlHeader parses a table header line ("[a.b]", not "[[a]]") into its keys, or nil.
func tomlHeader(line string) []string {
	t := strings.TrimSpace(content(line))
	if !strings.HasPrefix(t, "[") || strings.HasPrefix(t, "[[") {
		return nil
	}
	t = t[1:]
	var keys []string
	for {
		t = strings.TrimLeft(t, " \t")
		switch {
		case strings.HasPrefix(t, `"`):
			end := 1
			for end < len(t) && t[end] != '"' {
				if t[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(t) {
				return nil
			}
			k, err := strconv.Unquote(t[:end+1])
			if err != nil {
				return nil
			}
			keys, t = append(keys, k), t[end+1:]
		case strings.HasPrefix(t, "'"):
			end := strings.IndexByte(t[1:], '\'')
			if end < 0 {
				return nil
			}
			keys, t = append(keys, t[1:end+1]), t[end+2:]
		default:
			i := 0
			for i < len(t) && (t[i] == '_' || t[i] == '-' || t[i] >= 'a' && t[i] <= 'z' || t[i] >= 'A' && t[i] <= 'Z' || t[i] >= '0' && t[i] <= '9') {
				i++
			}
			if i == 0 {
				return nil
			}
			keys, t = append(keys, t[:i]), t[i:]
		}
		t = strings.TrimLeft(t, " \t")
		switch {
		case strings.HasPrefix(t, "."):
			t = t[1:]
		case strings.HasPrefix(t, "]"):
			return keys
		default:
			return nil
		}
	}
}

// isHeader reports whether a line starts a table or an array of tables.
func isHeader(line string) bool {
	return strings.HasPrefix(strings.TrimSpace(line), "[")
}

// tomlBlock finds our table [key.name] and its sub-tables: lines [start, end), or -1.
func tomlBlock(lines []string, key, name string) (start, end int) {
	start = -1
	for i, l := range lines {
		if !isHeader(l) {
			continue
		}
		h := tomlHeader(l)
		ours := len(h) >= 2 && h[0] == key && h[1] == name
		if start < 0 && ours && len(h) == 2 {
			start = i
			continue
		}
		if start >= 0 && !ours {
			return start, trimSpan(lines, start, i)
		}
	}
	if start < 0 {
		return -1, -1
	}
	return start, trimSpan(lines, start, len(lines))
}

func renderTOML(key, name string, want object) []string {
	out := []string{"[" + tomlKey(key) + "." + tomlKey(name) + "]"}
	for _, f := range want {
		out = append(out, tomlKey(f.K)+" = "+tomlValue(f.V))
	}
	return out
}

func tomlValue(v any) string {
	switch x := v.(type) {
	case object:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = tomlKey(f.K) + " = " + tomlValue(f.V)
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	default:
		return renderJSON(v, "", "", "", oneLine)
	}
}

func (tomlEditor) set(body []byte, st style, key, name string, want object, _ bool) ([]byte, error) {
	lines := splitLines(string(body))
	block := joinLines(renderTOML(key, name, want), st.nl)
	if start, end := tomlBlock(lines, key, name); start >= 0 {
		return []byte(strings.Join(lines[:start], "") + block + strings.Join(lines[end:], "")), nil
	}
	s := ensureNL(string(body), st.nl)
	if strings.TrimSpace(s) != "" && !strings.HasSuffix(s, st.nl+st.nl) && !strings.HasSuffix(s, "\n\n") {
		s += st.nl
	}
	if strings.TrimSpace(s) == "" {
		s = ""
	}
	return []byte(s + block), nil
}

func (tomlEditor) del(body []byte, st style, key, name string, _ bool) ([]byte, error) {
	lines := splitLines(string(body))
	start, end := tomlBlock(lines, key, name)
	if start < 0 {
		return body, nil
	}
	// Take one blank line before the block with it when the block ends the file or is
	// followed by a blank line, so a remove undoes an append exactly.
	if start > 0 && strings.TrimSpace(lines[start-1]) == "" && (end == len(lines) || strings.TrimSpace(lines[end]) == "") {
		start--
	}
	return []byte(strings.Join(lines[:start], "") + strings.Join(lines[end:], "")), nil
}
