package remote

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/patchbay-mcp/patchbay/connectors/remote/oauth"
)

// headerMissingError says a header-auth connection has no secret in the keychain.
type headerMissingError struct{ msg string }

func (e *headerMissingError) Error() string { return e.msg }

// needsAuth reports whether err means the user must (re)authorise the connection.
func needsAuth(err error) bool {
	var h *headerMissingError
	return oauth.IsNeedsReconnect(err) || errors.As(err, &h)
}

// codeNeedsAuth is the JSON-RPC error code of a request refused because the connection
// needs the user to authorise it again (an implementation-defined server error code).
const codeNeedsAuth = -32001

// refusal answers, on the upstream's behalf, a Streamable HTTP request that cannot be sent
// because the connection needs authorising: a tools/call gets a tool result with isError and
// the message (so the AI client shows the person what to do), any other request a JSON-RPC
// error with the message, a notification 202, the standalone GET stream 405 (go-sdk then
// stops asking for it instead of failing the session) and the closing DELETE 204.
//
// An error returned from the RoundTripper instead would reach the client as go-sdk's bare
// "rejected by transport", without the message.
func refusal(req *http.Request, body []byte, cause error) *http.Response {
	resp := func(status int, ctype string, b []byte) *http.Response {
		h := http.Header{}
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		return &http.Response{
			Status: http.StatusText(status), StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: h, Body: io.NopCloser(bytes.NewReader(b)), ContentLength: int64(len(b)), Request: req,
		}
	}
	switch req.Method {
	case http.MethodGet:
		return resp(http.StatusMethodNotAllowed, "", nil)
	case http.MethodDelete:
		return resp(http.StatusNoContent, "", nil)
	}
	var m struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	if json.Unmarshal(body, &m) != nil || len(m.ID) == 0 || m.Method == "" {
		return resp(http.StatusAccepted, "", nil) // a notification or a response: nothing to answer
	}
	msg := cause.Error()
	var out any
	if m.Method == "tools/call" {
		out = map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": map[string]any{
			"content": []map[string]string{{"type": "text", "text": msg}},
			"isError": true,
		}}
	} else {
		out = map[string]any{"jsonrpc": "2.0", "id": m.ID, "error": map[string]any{"code": codeNeedsAuth, "message": msg}}
	}
	b, _ := json.Marshal(out)
	return resp(http.StatusOK, "application/json", b)
}
