// Package clientconfig writes Patchbay's entry (`patchbay shim NAME`) into AI clients' MCP
// config files, keeps it there, and says when someone else changed it.
//
// The package has three layers, each in its own files:
//
//   - Data: every client is a row in the Clients table (clients.go): id, display name,
//     config paths per OS, how to tell it is installed, file format, where its servers live
//     and the shape of a stdio entry. Adding a client is adding a row.
//   - Pure edits: Client.Upsert and Client.Remove turn a file's bytes into new bytes. JSON
//     and JSONC are edited through github.com/tailscale/hujson's syntax tree, YAML through
//     gopkg.in/yaml.v3's node positions and TOML by a minimal textual edit of our own table,
//     so only the bytes of our entry change: comments, trailing commas, key order, line
//     endings, BOM, indentation and the final newline are kept. Every edit is checked by
//     decoding its result and comparing it with the expected data; an edit that would change
//     anything but our entry is refused rather than written.
//   - File I/O: EditFile is the only function that touches a client's file (backup, re-read
//     before replacing, atomic write, mode kept, symlinks followed). Manager is the API the
//     bridge and the CLI use; Watcher reports drift.
package clientconfig
