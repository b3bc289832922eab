package clientconfig

import (
	"bytes"
	"strings"
)

var bom = []byte("\xEF\xBB\xBF")

// style is how a file is written, so that our edit looks like the rest of it.
type style struct {
	bom     bool   // the file starts with a UTF-8 byte order mark
	nl      string // "\n" or "\r\n"
	unit    string // one level of indentation: a tab or some spaces
	finalNL bool   // the file ends with a newline
}

// detectStyle returns the file's style and its content without the BOM. An empty file gets
// the defaults: LF, two spaces, a final newline.
func detectStyle(b []byte) (style, []byte) {
	s := style{nl: "\n", unit: "  ", finalNL: true}
	if bytes.HasPrefix(b, bom) {
		s.bom = true
		b = b[len(bom):]
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return s, b
	}
	if i := bytes.IndexByte(b, '\n'); i > 0 && b[i-1] == '\r' {
		s.nl = "\r\n"
	}
	s.finalNL = bytes.HasSuffix(b, []byte("\n"))
	minSpaces := 0
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed == "" || len(trimmed) == len(line) {
			continue
		}
		if line[0] == '\t' {
			s.unit = "\t"
			return s, b
		}
		n := len(line) - len(strings.TrimLeft(line, " "))
		if n > 0 && (minSpaces == 0 || n < minSpaces) {
			minSpaces = n
		}
	}
	if minSpaces > 0 && minSpaces <= 8 {
		s.unit = strings.Repeat(" ", minSpaces)
	}
	return s, b
}

// finish puts the BOM back on an edited body.
func (s style) finish(body []byte) []byte {
	if !s.bom {
		return body
	}
	return append(append([]byte{}, bom...), body...)
}

// lineStart returns the offset of the start of the line holding offset off.
func lineStart(b []byte, off int) int {
	return bytes.LastIndexByte(b[:off], '\n') + 1
}

// indentBefore returns the whitespace between the start of off's line and off, and whether
// only whitespace precedes off on its line.
func indentBefore(b []byte, off int) (string, bool) {
	ls := lineStart(b, off)
	pre := string(b[ls:off])
	return pre, strings.Trim(pre, " \t") == ""
}

// edit replaces b[off:off+del] with text.
type edit struct {
	off, del int
	text     string
}

// applyEdits applies non-overlapping edits to b and returns a new slice.
func applyEdits(b []byte, edits ...edit) []byte {
	// Apply from the end so earlier offsets stay valid.
	for i := 0; i < len(edits); i++ {
		for j := i + 1; j < len(edits); j++ {
			if edits[j].off > edits[i].off {
				edits[i], edits[j] = edits[j], edits[i]
			}
		}
	}
	out := append([]byte{}, b...)
	for _, e := range edits {
		out = append(out[:e.off:e.off], append([]byte(e.text), out[e.off+e.del:]...)...)
	}
	return out
}
