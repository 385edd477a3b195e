package sts

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
)

// AuthorizationMessage is the decoded form of an encoded authorization
// failure message, in the shape AWS's DecodeAuthorizationMessage returns
// (its DecodedMessage is this as JSON).
type AuthorizationMessage struct {
	Allowed           bool                  `json:"allowed"`
	ExplicitDeny      bool                  `json:"explicitDeny"`
	MatchedStatements AuthzItems[AuthzStmt] `json:"matchedStatements"`
	Failures          AuthzItems[string]    `json:"failures"`
	Context           AuthzContext          `json:"context"`
}

// AuthzItems is AWS's {"items": [...]} list wrapper.
type AuthzItems[T any] struct {
	Items []T `json:"items"`
}

// AuthzStmt is a statement that matched the request.
type AuthzStmt struct {
	StatementID string `json:"statementId,omitempty"`
	Effect      string `json:"effect"`
	Source      string `json:"source,omitempty"` // the policy's name or ARN
}

// AuthzContext is the request that was refused.
type AuthzContext struct {
	Principal  AuthzPrincipal        `json:"principal"`
	Action     string                `json:"action"`
	Resource   string                `json:"resource"`
	Conditions AuthzItems[AuthzCond] `json:"conditions"`
}

// AuthzPrincipal is the caller.
type AuthzPrincipal struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	ARN  string `json:"arn"`
}

// AuthzCond is one condition key of the request with its values.
type AuthzCond struct {
	Key    string                 `json:"key"`
	Values AuthzItems[AuthzValue] `json:"values"`
}

// AuthzValue is one condition value.
type AuthzValue struct {
	Value string `json:"value"`
}

// messageAEAD is AES-256-GCM under MessageKey (hashed to 32 bytes), or
// under a random per-process key when MessageKey is nil.
func (s *Service) messageAEAD() cipher.AEAD {
	s.msgOnce.Do(func() {
		if len(s.MessageKey) > 0 {
			k := sha256.Sum256(append([]byte("rolecall authorization message\x00"), s.MessageKey...))
			s.msgKey = k[:]
		} else {
			s.msgKey = make([]byte, 32)
			rand.Read(s.msgKey)
		}
	})
	b, _ := aes.NewCipher(s.msgKey) // a 32-byte key never fails
	a, _ := cipher.NewGCMWithRandomNonce(b)
	return a
}

// msgAD binds encoded messages to their purpose.
var msgAD = []byte("rolecall-authz-msg-v1")

// EncodeAuthorizationMessage encrypts m for a client: the encoded message
// an AccessDenied answer can carry, which only a caller allowed
// sts:DecodeAuthorizationMessage can read. The encoding is base64url of
// AES-256-GCM (random nonce) over the JSON.
func (s *Service) EncodeAuthorizationMessage(m *AuthorizationMessage) (string, error) {
	if m.MatchedStatements.Items == nil {
		m.MatchedStatements.Items = []AuthzStmt{}
	}
	if m.Failures.Items == nil {
		m.Failures.Items = []string{}
	}
	if m.Context.Conditions.Items == nil {
		m.Context.Conditions.Items = []AuthzCond{}
	}
	js, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.messageAEAD().Seal(nil, nil, js, msgAD)), nil
}

// DecodeAuthorizationMessage decrypts a message EncodeAuthorizationMessage
// made, for a caller allowed sts:DecodeAuthorizationMessage.
func (s *Service) DecodeAuthorizationMessage(ctx context.Context, caller iam.Caller, env *authz.Env, encoded string) (string, error) {
	var v validation
	if encoded == "" {
		v.addNull("encodedMessage", "Member must not be null")
	} else {
		v.length(encoded, "encodedMessage", 1, 10240)
	}
	if err := v.err(); err != nil {
		return "", err
	}
	id, err := s.Authz.LoadIdentity(ctx, caller, env)
	if err != nil {
		return "", err
	}
	if err := s.Authz.Authorize(caller, id, env, &authz.Call{Action: "sts:DecodeAuthorizationMessage", Resource: "*"}); err != nil {
		return "", err
	}
	invalid := awserr.New(http.StatusBadRequest, "InvalidAuthorizationMessageException", "The encoded authorization message is invalid.")
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return "", invalid
	}
	plain, err := s.messageAEAD().Open(nil, nil, raw, msgAD)
	if err != nil {
		return "", invalid
	}
	return string(plain), nil
}
