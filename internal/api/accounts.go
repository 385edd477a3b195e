package api

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
)

// AccountsPath is rolecall's own endpoint for creating accounts (AWS does
// this through Organizations, which rolecall does not implement). Requests
// are signed with SigV4 like any other; only the root user of the server's
// default account may call it.
const AccountsPath = "/rolecall/accounts"

// CreateAccountRequest is the JSON body of POST /rolecall/accounts.
type CreateAccountRequest struct {
	AccountID string `json:"accountId,omitempty"` // 12 digits; generated when empty
}

// CreateAccountResponse returns the new account's root credentials, once.
type CreateAccountResponse struct {
	AccountID       string `json:"accountId"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

func (s *Server) serveCreateAccount(w http.ResponseWriter, r *http.Request) {
	c := &call{requestID: newRequestID(), start: time.Now(), service: "rolecall", action: "CreateAccount"}
	w.Header().Set("x-amzn-RequestId", c.requestID)
	fail := func(err error) {
		e, ok := awserr.As(err)
		if !ok {
			s.Log.Error("creating an account", "request_id", c.requestID, "err", err)
			e = awserr.ServiceFailure("An internal error occurred. Request ID: %s", c.requestID)
		}
		encodeJSONError(w, "application/json", e)
		s.record(c, e.Status, e.Code)
	}
	body, err := readBody(w, r)
	if err != nil {
		fail(err)
		return
	}
	ri, err := s.authenticate(r.Context(), r, body)
	if err != nil {
		fail(err)
		return
	}
	if ri.caller.ARN != s.rootCaller(s.Account).ARN {
		fail(awserr.AccessDenied("Only the root user of account %s can create accounts.", s.Account))
		return
	}
	var in CreateAccountRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			fail(awserr.ValidationError("The request body must be JSON: {\"accountId\": \"123456789012\"}"))
			return
		}
	}
	if in.AccountID == "" {
		in.AccountID = randomAccountID()
	}
	created, err := s.IAM.EnsureAccount(r.Context(), in.AccountID)
	if err != nil {
		fail(err)
		return
	}
	if !created {
		fail(awserr.EntityAlreadyExists("Account %s already exists.", in.AccountID))
		return
	}
	k, err := s.IAM.AddRootAccessKey(r.Context(), in.AccountID, "", "")
	if err != nil {
		fail(err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(CreateAccountResponse{AccountID: in.AccountID, AccessKeyID: k.ID, SecretAccessKey: k.Secret})
	s.record(c, http.StatusOK, "")
}

func randomAccountID() string {
	n, err := rand.Int(rand.Reader, big.NewInt(9e11))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%012d", n.Int64()+1e11)
}
