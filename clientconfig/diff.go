package clientconfig

import (
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// unifiedDiff renders the change from a to b as a unified diff with three lines of context.
func unifiedDiff(file string, a, b []byte) string {
	if string(a) == string(b) {
		return ""
	}
	from := file
	if a == nil {
		from = "/dev/null"
	}
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        difflib.SplitLines(strings.ReplaceAll(string(a), "\r\n", "\n")),
		B:        difflib.SplitLines(strings.ReplaceAll(string(b), "\r\n", "\n")),
		FromFile: from,
		ToFile:   file,
		Context:  3,
	})
	if err != nil {
		return ""
	}
	return d
}
