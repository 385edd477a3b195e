package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/store/memory"
)

// FuzzIAMRequest sends arbitrary Query-protocol bodies through the whole
// handler: whatever arrives, the answer is a well-formed response with a
// status below 500, never a panic.
func FuzzIAMRequest(f *testing.F) {
	trust := "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
	for _, seed := range []string{
		"Action=CreateRole&Version=2010-05-08&RoleName=r1&AssumeRolePolicyDocument=" + trust,
		"Action=GetRole&Version=2010-05-08&RoleName=r1",
		"Action=ListRoles&Version=2010-05-08&MaxItems=1&Marker=abc",
		"Action=CreatePolicy&Version=2010-05-08&PolicyName=p&PolicyDocument=%7B%7D",
		"Action=AttachRolePolicy&Version=2010-05-08&RoleName=r1&PolicyArn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess",
		"Action=TagRole&Version=2010-05-08&RoleName=r1&Tags.member.1.Key=a&Tags.member.1.Value=%01",
		"Action=CreateUser&Version=2010-05-08&UserName=u&Path=%2Fa%2F",
		"Action=CreateAccessKey&Version=2010-05-08&UserName=u",
		"Action=SimulateCustomPolicy&Version=2010-05-08&PolicyInputList.member.1=%7B%7D&ActionNames.member.1=s3%3AGetObject",
		"Action=CreateServiceLinkedRole&Version=2010-05-08&AWSServiceName=ecs.amazonaws.com&CustomSuffix=x",
		"Action=GetAccountAuthorizationDetails&Version=2010-05-08&Filter.member.1=Role",
		"Action=Nope&Version=2010-05-08",
		"%zz",
	} {
		f.Add(seed)
	}
	svc := iam.New(memory.New())
	if _, err := svc.EnsureAccount(context.Background(), testAccount); err != nil {
		f.Fatal(err)
	}
	srv := New(slog.New(slog.NewTextHandler(io.Discard, nil)), svc, testAccount, "us-east-1")
	srv.Dev = true // signatures are not what this target explores
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		if err := xmlWellFormed(rec.Body.Bytes()); err != nil {
			t.Fatalf("malformed XML for %q: %v\n%s", body, err, rec.Body.String())
		}
	})
}
