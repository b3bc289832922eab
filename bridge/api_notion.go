package bridge

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/patchbay-mcp/patchbay/connectors/keychain"
	"github.com/patchbay-mcp/patchbay/connectors/notion"
	"github.com/patchbay-mcp/patchbay/internal/state"
)

// verifyNotion checks the token of a notion connection being added with Notion (GET
// /v1/users/me at the settings' base_url) before anything is stored, answering the request
// itself when it is refused. It returns the status detail ("workspace Acme · integration
// Patchbay"). Other kinds pass untouched.
func (b *Bridge) verifyNotion(w http.ResponseWriter, r *http.Request, req *AddRequest) (string, bool) {
	if req.Kind != state.KindNotion {
		return "", true
	}
	var s notion.Settings
	if len(req.Settings) > 0 {
		if err := json.Unmarshal(req.Settings, &s); err != nil {
			writeErr(w, http.StatusBadRequest, CodeBadRequest, "reading the notion settings: "+err.Error())
			return "", false
		}
	}
	token, ok := req.Secrets[notion.TokenItem]
	if !ok {
		writeErr(w, http.StatusBadRequest, CodeBadRequest, "a notion connection needs its integration token (secrets.token): create one at https://www.notion.so/profile/integrations")
		return "", false
	}
	id, err := notion.Verify(r.Context(), s.BaseURL, token)
	switch {
	case notion.IsTokenRefused(err):
		writeErr(w, http.StatusBadRequest, CodeRefused, err.Error()+". Nothing was stored: copy the Internal Integration Secret from https://www.notion.so/profile/integrations and try again")
		return "", false
	case err != nil:
		writeErr(w, http.StatusBadGateway, CodeUpstream, err.Error()+". Nothing was stored")
		return "", false
	}
	return notionDetail(id), true
}

func notionDetail(id *notion.Identity) string {
	d := "workspace " + id.WorkspaceName
	if id.WorkspaceName == "" {
		d = "workspace " + id.WorkspaceID
	}
	return d + " · integration " + id.BotName
}

// askNotionDetail starts, once per connection and bridge run, a background look-up of a
// notion connection's identity when its detail is unknown (a connection added before this
// bridge started): the status shows it once Notion has answered. Failures leave the detail
// empty; the connection's own calls report a bad token.
func (b *Bridge) askNotionDetail(rt *connRuntime) {
	rt.mu.Lock()
	ask := rt.conn.Kind == state.KindNotion && rt.detail == "" && !rt.detailAsked
	rt.detailAsked = rt.detailAsked || ask
	settings := rt.conn.Settings
	rt.mu.Unlock()
	if !ask {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var s notion.Settings
		if len(settings) > 0 && json.Unmarshal(settings, &s) != nil {
			return
		}
		token, err := b.opts.Keychain.Get(ctx, keychain.Key(rt.name, notion.TokenItem))
		if err != nil {
			return
		}
		if id, err := notion.Verify(ctx, s.BaseURL, token); err == nil {
			rt.setDetail(notionDetail(id))
		}
	}()
}
