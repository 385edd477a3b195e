package api

import (
	"context"

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
	return m
}

// refuseSessionCredentials is STS's check before any action:
// API_GetSessionToken's credentials "cannot call any STS API except
// AssumeRole or GetCallerIdentity".
func refuseSessionCredentials(ctx context.Context, ri *requestInfo, q *Query) error {
	if cl := ri.claims; cl != nil && cl.Kind == token.KindSession && !sessionTokenMayCall(q.Action) {
		return awserr.AccessDenied("Cannot call %s with session credentials", q.Action)
	}
	return nil
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
