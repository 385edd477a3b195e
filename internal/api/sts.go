package api

import (
	"context"
	"net/http"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/sts/token"
)

const stsXMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"

// stsHandlers maps each STS action to its handler. STS actions authorize
// themselves: GetCallerIdentity needs no permission, AssumeRole evaluates the
// role's trust policy together with the caller's policies.
func (s *Server) stsHandlers() map[string]queryHandler {
	m := map[string]queryHandler{
		"GetCallerIdentity": s.stsGetCallerIdentity,
	}
	s.registerSTS(m)
	if s.STS == nil {
		s.STS = s.newSTS()
	}
	return m
}

func (s *Server) serveSTS(w http.ResponseWriter, ctx context.Context, c *call, q *Query) {
	h, ok := s.stsOps[q.Action]
	if !ok {
		s.writeQueryError(w, c, stsXMLNS, awserr.New(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", q.Action, q.Version))
		return
	}
	if cl := infoFrom(ctx).claims; cl != nil && cl.Kind == token.KindSession && !sessionTokenMayCall(q.Action) {
		// API_GetSessionToken: such credentials "cannot call any STS API
		// except AssumeRole or GetCallerIdentity".
		s.writeQueryError(w, c, stsXMLNS, awserr.AccessDenied("Cannot call %s with session credentials", q.Action))
		return
	}
	var x XML
	x.b.Grow(2048) // typical results fit: one allocation
	if err := h(ctx, infoFrom(ctx).caller, q, &x); err != nil {
		s.writeQueryError(w, c, stsXMLNS, err)
		return
	}
	s.writeQuery(w, c, stsXMLNS, &x)
}

// sessionTokenMayCall reports whether GetSessionToken credentials may
// call an STS action (GetSessionToken itself answers its own refusal).
func sessionTokenMayCall(action string) bool {
	return action == "AssumeRole" || action == "GetCallerIdentity" || action == "GetSessionToken"
}

// GetCallerIdentity needs no permission: AWS answers it even when every
// action is denied.
func (s *Server) stsGetCallerIdentity(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
	x.Elem("UserId", c.UserID).Elem("Account", c.Account).Elem("Arn", c.ARN)
	return nil
}
