package markdown

import (
	"regexp"
	"strings"
)

var hex32 = regexp.MustCompile(`(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}`)

// PageURL is the notion.so URL of a page, database or block id (dashed or not).
func PageURL(id string) string {
	return "https://www.notion.so/" + strings.ReplaceAll(id, "-", "")
}

// IDFromURL extracts a Notion id from a page or database URL ("https://www.notion.so/
// Title-1a2b...", "https://acme.notion.site/...?v=..."), a "collection://" or "user://" URI,
// or a bare id in either form, and returns it dashed. It returns "" when s holds none. When
// a URL holds several ids (a database view link ?v=...), the one in the path wins.
func IDFromURL(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "?#"); i >= 0 && strings.Contains(s, "://") {
		if id := IDFromURL(s[:i]); id != "" {
			return id
		}
	}
	all := hex32.FindAllString(s, -1)
	if len(all) == 0 {
		return ""
	}
	return Dashed(all[len(all)-1])
}

// Dashed returns a 32-hex id in the 8-4-4-4-12 form; other strings are returned unchanged.
func Dashed(id string) string {
	h := strings.ToLower(strings.ReplaceAll(id, "-", ""))
	if len(h) != 32 {
		return id
	}
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
