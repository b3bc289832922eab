//go:build !(linux || freebsd || openbsd || netbsd)

package app

// displayProblem says why the GUI cannot start here, or "": Windows and macOS always have a
// desktop for a user-started process.
func displayProblem() string { return "" }
