package clientconfig

import (
	"errors"
	"fmt"
)

// SyntaxError says a client's config file does not parse. Such a file is never written.
type SyntaxError struct {
	File         string // set by EditFile; empty from the pure edit functions
	Line, Column int    // 1-based
	Msg          string
}

func (e *SyntaxError) Error() string {
	where := "the file"
	if e.File != "" {
		where = e.File
	}
	return fmt.Sprintf("%s:%d:%d: %s; fix the file by hand (Patchbay did not change it)", where, e.Line, e.Column, e.Msg)
}

// ShapeError says a config file parses but is not laid out as its client documents (for
// example its servers key holds a list where an object belongs). Such a file is never written.
type ShapeError struct {
	File string
	Msg  string
}

func (e *ShapeError) Error() string {
	where := "the file"
	if e.File != "" {
		where = e.File
	}
	return fmt.Sprintf("%s: %s; fix the file by hand (Patchbay did not change it)", where, e.Msg)
}

// ConflictError says an entry with our name exists and is not Patchbay's. It is replaced only
// when the caller asks to (--replace).
type ConflictError struct {
	File string
	Name string
}

func (e *ConflictError) Error() string {
	where := "the file"
	if e.File != "" {
		where = e.File
	}
	return fmt.Sprintf("%s already has a server named %q that Patchbay did not write; rename it, or connect with --replace to overwrite it", where, e.Name)
}

// IsConflict reports whether err is (or wraps) a ConflictError.
func IsConflict(err error) bool {
	var c *ConflictError
	return errors.As(err, &c)
}

// IsSyntax reports whether err is (or wraps) a SyntaxError.
func IsSyntax(err error) bool {
	var s *SyntaxError
	return errors.As(err, &s)
}

// withFile fills in the file name on the package's own error types.
func withFile(err error, file string) error {
	var s *SyntaxError
	var sh *ShapeError
	var c *ConflictError
	switch {
	case errors.As(err, &s):
		s.File = file
	case errors.As(err, &sh):
		sh.File = file
	case errors.As(err, &c):
		c.File = file
	}
	return err
}

// errVerify means an edit's result did not decode to exactly the expected data. It is a bug
// in Patchbay, and the file is left alone.
var errVerify = errors.New("patchbay's edit would have changed more than its own entry, so nothing was written; please report this bug")
