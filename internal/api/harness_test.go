package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/internal/awsclient"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/store/memory"
	"github.com/rolecall/rolecall/internal/sts/token"
)

const (
	testAccount    = "123456789012"
	testRootKey    = "AKIAIOSFODNN7EXAMPLE"
	testRootSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// testServer is a real rolecall HTTP server on loopback, backed by an
// in-memory store, and an aws-sdk-go-v2 IAM client pointed at it.
type testServer struct {
	URL    string
	IAM    *awsiam.Client
	Svc    *iam.Service
	Cfg    aws.Config
	Server *Server
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	st := memory.New()
	svc := iam.New(st)
	ctx := context.Background()
	if _, err := svc.EnsureAccount(ctx, testAccount); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddRootAccessKey(ctx, testAccount, testRootKey, testRootSecret); err != nil {
		t.Fatal(err)
	}
	srv := New(slog.New(slog.NewTextHandler(io.Discard, nil)), svc, testAccount, "us-east-1")
	tokens, err := token.Watch(ctx, st, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.Tokens = tokens
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(testRootKey, testRootSecret, ""),
		BaseEndpoint:     aws.String(hs.URL),
		HTTPClient:       awsclient.HTTPClient(),
		RetryMaxAttempts: 1,
	}
	return &testServer{URL: hs.URL, IAM: awsiam.NewFromConfig(cfg), Svc: svc, Cfg: cfg, Server: srv}
}

// apiError asserts that err is an AWS API error with the given code, message
// and HTTP status, as the SDK reports it.
func apiError(t testing.TB, err error, code, message string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Errorf("code %q, want %q (%v)", ae.ErrorCode(), code, err)
	}
	if message != "" && ae.ErrorMessage() != message {
		t.Errorf("message %q, want %q", ae.ErrorMessage(), message)
	}
	var re interface{ HTTPStatusCode() int }
	if status != 0 {
		if errors.As(err, &re) && re.HTTPStatusCode() != status {
			t.Errorf("status %d, want %d", re.HTTPStatusCode(), status)
		}
	}
}

// signedRequest builds a Query-protocol POST signed with SigV4 by
// aws-sdk-go-v2's own signer, for tests that look at raw responses.
func signedRequest(t testing.TB, endpoint, service, body, key, secret, sessionToken string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: sessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}
