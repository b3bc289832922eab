package clientconfig

import "strings"

// splitLines splits s into lines that keep their terminators, so joining them gives s back.
func splitLines(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// content returns a line without its terminator.
func content(line string) string { return strings.TrimRight(line, "\r\n") }

// blankOrComment reports whether a YAML or TOML line holds nothing but a comment.
func blankOrComment(line string) bool {
	t := strings.TrimSpace(content(line))
	return t == "" || strings.HasPrefix(t, "#")
}

// trimSpan moves end (exclusive line index) back over blank and comment lines, but not
// before start+1: comments at the end of a span belong to what follows.
func trimSpan(lines []string, start, end int) int {
	for end > start+1 && blankOrComment(lines[end-1]) {
		end--
	}
	return end
}

// joinLines renders rendered lines (without terminators) with nl after each.
func joinLines(rendered []string, nl string) string {
	var b strings.Builder
	for _, l := range rendered {
		b.WriteString(l + nl)
	}
	return b.String()
}

// ensureNL makes sure s ends with nl, unless it is empty.
func ensureNL(s, nl string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + nl
}
