package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/store/memory"
	"github.com/rolecall/rolecall/internal/sts/token"
)

// FuzzSTSRequest sends arbitrary STS bodies, signed by an IAM user allowed
// sts:AssumeRole, through the whole handler: the answer is always a
// well-formed response with a status below 500.
func FuzzSTSRequest(f *testing.F) {
	role := url.QueryEscape("arn:aws:iam::123456789012:role/r")
	for _, seed := range []string{
		"Action=AssumeRole&Version=2011-06-15&RoleArn=" + role + "&RoleSessionName=s1",
		"Action=AssumeRole&Version=2011-06-15&RoleArn=" + role + "&RoleSessionName=s1&DurationSeconds=99999999999&ExternalId=x",
		"Action=AssumeRole&Version=2011-06-15&RoleArn=" + role + "&RoleSessionName=s1&Policy=%7B%7D&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess",
		"Action=AssumeRole&Version=2011-06-15&RoleArn=" + role + "&RoleSessionName=s1&Tags.member.1.Key=a&Tags.member.1.Value=b&TransitiveTagKeys.member.1=A&SourceIdentity=%01",
		"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3A&RoleSessionName=%FF%FE",
		"Action=GetSessionToken&Version=2011-06-15&DurationSeconds=-1&SerialNumber=x&TokenCode=12",
		"Action=GetAccessKeyInfo&Version=2011-06-15&AccessKeyId=ASIAAAAAAAAAAAAAAAAA",
		"Action=DecodeAuthorizationMessage&Version=2011-06-15&EncodedMessage=abc",
		"Action=GetCallerIdentity&Version=2011-06-15",
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	st := memory.New()
	svc := iam.New(st)
	if _, err := svc.EnsureAccount(ctx, testAccount); err != nil {
		f.Fatal(err)
	}
	root := iam.Caller{Account: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount}
	if _, err := svc.CreateUser(ctx, root, iam.CreateUserInput{UserName: "alice"}); err != nil {
		f.Fatal(err)
	}
	if err := svc.PutInlinePolicy(ctx, root, iam.HolderUser, "alice", "p", allow("sts:*")); err != nil {
		f.Fatal(err)
	}
	k, err := svc.CreateAccessKey(ctx, root, "alice")
	if err != nil {
		f.Fatal(err)
	}
	if _, err := svc.CreateRole(ctx, root, iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustAWS(testAccount)}); err != nil {
		f.Fatal(err)
	}
	srv := New(slog.New(slog.NewTextHandler(io.Discard, nil)), svc, testAccount, "us-east-1")
	tokens, err := token.Watch(ctx, st, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	srv.Tokens = tokens
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		req := signedRequest(t, "http://rolecall.test/", "sts", body, k.ID, k.Secret, "")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		if bytes.Contains(rec.Body.Bytes(), []byte(k.Secret)) {
			t.Fatalf("the caller's secret in a response to %q", body)
		}
		if err := xmlWellFormed(rec.Body.Bytes()); err != nil {
			t.Fatalf("malformed XML for %q: %v\n%s", body, err, rec.Body.String())
		}
	})
}
