package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/rolecall/rolecall/internal/awsclient"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/store/memory"
)

const testAccount = "123456789012"

// testServer is a real rolecall HTTP server on loopback, backed by an
// in-memory store, and an aws-sdk-go-v2 IAM client pointed at it.
type testServer struct {
	URL string
	IAM *awsiam.Client
	Svc *iam.Service
	Cfg aws.Config
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	svc := iam.New(memory.New())
	if _, err := svc.EnsureAccount(context.Background(), testAccount); err != nil {
		t.Fatal(err)
	}
	srv := New(slog.New(slog.NewTextHandler(io.Discard, nil)), svc, testAccount, "us-east-1")
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		BaseEndpoint:     aws.String(hs.URL),
		HTTPClient:       awsclient.HTTPClient(),
		RetryMaxAttempts: 1,
	}
	return &testServer{URL: hs.URL, IAM: awsiam.NewFromConfig(cfg), Svc: svc, Cfg: cfg}
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
