package bridge

import (
	"encoding/json"
	"net/http"

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
