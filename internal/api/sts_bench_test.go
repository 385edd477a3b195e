package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/sts/token"
)

// assumeBench is a bolt-backed server with a user allowed sts:AssumeRole by
// an identity policy and a role whose trust policy names the account (so
// both the trust policy and the identity policy are evaluated).
type assumeBench struct {
	srv         *Server
	key, secret string
	roleARN     string
	body        string
}

func newAssumeBench(b *testing.B) *assumeBench {
	b.Helper()
	srv, svc := benchServer(b)
	ctx := context.Background()
	st := svc.Store
	tokens, err := token.Watch(ctx, st, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	srv.Tokens = tokens
	root := iam.Caller{Account: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root", UserID: testAccount}
	if _, err := svc.CreateUser(ctx, root, iam.CreateUserInput{UserName: "alice"}); err != nil {
		b.Fatal(err)
	}
	if err := svc.PutInlinePolicy(ctx, root, iam.HolderUser, "alice", "assume", allowAssume); err != nil {
		b.Fatal(err)
	}
	k, err := svc.CreateAccessKey(ctx, root, "alice")
	if err != nil {
		b.Fatal(err)
	}
	r, err := svc.CreateRole(ctx, root, iam.CreateRoleInput{RoleName: "app", AssumeRolePolicyDocument: trustAWS(testAccount, `{"StringEquals":{"sts:ExternalId":"ext-1234"}}`)})
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.PutInlinePolicy(ctx, root, iam.HolderRole, "app", "perms", allow("iam:ListRoles")); err != nil {
		b.Fatal(err)
	}
	body := "Action=AssumeRole&Version=2011-06-15&RoleArn=" + url.QueryEscape(r.ARN) + "&RoleSessionName=bench&ExternalId=ext-1234"
	return &assumeBench{srv: srv, key: k.ID, secret: k.Secret, roleARN: r.ARN, body: body}
}

// BenchmarkAssumeRoleInProcess: the whole server path of one AssumeRole:
// read, verify the SigV4 signature, decode, load the caller's policies and
// the role, evaluate the trust and identity policies, mint and seal the
// session, encode.
func BenchmarkAssumeRoleInProcess(b *testing.B) {
	ab := newAssumeBench(b)
	h := ab.srv.Handler()
	hdr := signedRequest(b, "http://rolecall.test/", "sts", ab.body, ab.key, ab.secret, "").Header
	run := func() {
		req := httptest.NewRequest(http.MethodPost, "http://rolecall.test/", strings.NewReader(ab.body))
		req.Header = hdr.Clone()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
	run()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
}

// loopbackAssumeRole drives AssumeRole over loopback for d (loopbackRate).
func loopbackAssumeRole(b *testing.B, h http.Handler, ab *assumeBench, d time.Duration) float64 {
	in := &awssts.AssumeRoleInput{RoleArn: aws.String(ab.roleARN), RoleSessionName: aws.String("bench"), ExternalId: aws.String("ext-1234")}
	return loopbackRate(b, h, d, ab.key, ab.secret, func(cfg aws.Config) func(context.Context) error {
		client := awssts.NewFromConfig(cfg)
		return func(ctx context.Context) error {
			_, err := client.AssumeRole(ctx, in)
			return err
		}
	})
}

// BenchmarkLoopbackAssumeRole compares rolecall's AssumeRole throughput with
// a server returning a fixed AssumeRole response (one rolecall produced),
// measured in the same run with the same client. The target is a ratio of
// at least 0.7.
func BenchmarkLoopbackAssumeRole(b *testing.B) {
	ab := newAssumeBench(b)
	req := signedRequest(b, "http://rolecall.test/", "sts", ab.body, ab.key, ab.secret, "")
	rec := httptest.NewRecorder()
	ab.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	fixed := rec.Body.Bytes()
	d := 3 * time.Second
	var ours, ceiling float64
	for i := 0; i < b.N; i++ {
		ceiling += loopbackAssumeRole(b, fixedGetRole(fixed), ab, d)
		ours += loopbackAssumeRole(b, ab.srv.Handler(), ab, d)
	}
	reportLoopback(b, ours, ceiling)
}
