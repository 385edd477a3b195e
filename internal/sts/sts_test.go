package sts

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/store/memory"
	"github.com/rolecall/rolecall/internal/sts/token"
)

const acct = "123456789012"

type fixture struct {
	svc  *Service
	ring *token.Ring
	iam  *iam.Service
	now  time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st := memory.New()
	is := iam.New(st)
	if _, err := is.EnsureAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	ring, err := token.LoadRing(ctx, st, now)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{iam: is, ring: ring, now: now}
	f.svc = &Service{IAM: is, Authz: authz.New(is), Tokens: ring, Now: func() time.Time { return f.now }}
	return f
}

func (f *fixture) role(t *testing.T, name, trust string) *iam.Role {
	t.Helper()
	r, err := f.iam.CreateRole(context.Background(), iam.Caller{Account: acct}, iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trust})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func seed(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../policy/testdata/seeds/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("want %s, got %v", code, err)
	}
	if e.Code != code || (msg != "" && e.Message != msg) {
		t.Errorf("got %s %q, want %s %q", e.Code, e.Message, code, msg)
	}
}

// The seeds' trust policies: ecsInstanceRole trusts EC2, ecsAnywhereRole
// trusts SSM, ecsTaskRole trusts ECS tasks; each service gets only its own.
func TestAssumeRoleForServiceSeeds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	roles := map[string]string{
		"ecsInstanceRole": "ec2.amazonaws.com",
		"ecsAnywhereRole": "ssm.amazonaws.com",
		"ecsTaskRole":     "ecs-tasks.amazonaws.com",
	}
	for name := range roles {
		f.role(t, name, seed(t, name+"-trust.json"))
	}
	for name, trusted := range roles {
		roleARN := "arn:aws:iam::" + acct + ":role/" + name
		for _, service := range []string{"ec2.amazonaws.com", "ssm.amazonaws.com", "ecs-tasks.amazonaws.com"} {
			creds, err := f.svc.AssumeRoleForService(ctx, service, roleARN, "i-0123456789abcdef0", 0, "", "")
			if service != trusted {
				wantCode(t, err, "AccessDenied", "Service: "+service+" is not authorized to perform: sts:AssumeRole on resource: "+roleARN)
				continue
			}
			if err != nil {
				t.Fatalf("%s assuming %s: %v", service, name, err)
			}
			if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || !creds.Expiration.Equal(f.now.Add(time.Hour)) {
				t.Errorf("credentials %v", creds)
			}
			c, err := f.ring.Open(creds.SessionToken, f.now)
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != token.KindAssumedRole || c.RoleARN != roleARN || c.SessionName != "i-0123456789abcdef0" || c.Account != acct || c.SecretAccessKey != creds.SecretAccessKey || c.AccessKeyID != creds.AccessKeyID {
				t.Errorf("claims %v", c)
			}
		}
	}
	if _, err := f.svc.AssumeRoleForService(ctx, "ec2.amazonaws.com", "arn:aws:iam::"+acct+":role/missing", "s1", 0, "", ""); err == nil {
		t.Error("assumed a missing role")
	}
	_, err := f.svc.AssumeRoleForService(ctx, "ec2.amazonaws.com", "arn:aws:iam::"+acct+":role/ecsInstanceRole", "s1", 37*time.Hour, "", "")
	wantCode(t, err, "ValidationError", "")
	creds, err := f.svc.AssumeRoleForService(ctx, "ec2.amazonaws.com", "arn:aws:iam::"+acct+":role/ecsInstanceRole", "s1", 36*time.Hour, "", "")
	if err != nil || !creds.Expiration.Equal(f.now.Add(36*time.Hour)) {
		t.Errorf("36-hour service session: %v %v", creds, err)
	}
}

// aws:SourceAccount and aws:SourceArn reach the trust policy (the
// confused-deputy guard).
func TestAssumeRoleForServiceSourceKeys(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.role(t, "guarded", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"`+acct+`"},"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:`+acct+`:*"}}}]}`)
	roleARN := "arn:aws:iam::" + acct + ":role/guarded"
	if _, err := f.svc.AssumeRoleForService(ctx, "ecs-tasks.amazonaws.com", roleARN, "task", 0, "", ""); err == nil {
		t.Error("assumed without source keys")
	}
	if _, err := f.svc.AssumeRoleForService(ctx, "ecs-tasks.amazonaws.com", roleARN, "task", 0, "999999999999", "arn:aws:ecs:us-east-1:999999999999:task/c/1"); err == nil {
		t.Error("assumed from another account")
	}
	if _, err := f.svc.AssumeRoleForService(ctx, "ecs-tasks.amazonaws.com", roleARN, "task", 0, acct, "arn:aws:ecs:us-east-1:"+acct+":task/c/1"); err != nil {
		t.Error(err)
	}
}

func TestAssumeRoleDomain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u, err := f.iam.CreateUser(ctx, iam.Caller{Account: acct}, iam.CreateUserInput{UserName: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	r := f.role(t, "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+u.ARN+`"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)
	caller := iam.Caller{Account: acct, ARN: u.ARN, UserID: u.ID, UserName: "alice"}
	env := &authz.Env{Now: f.now, Region: "eu-west-1"}
	out, err := f.svc.AssumeRole(ctx, caller, env, AssumeRoleInput{RoleArn: r.ARN, RoleSessionName: "sess", Tags: []token.Tag{{Key: "k", Value: "v"}}, TransitiveTagKeys: []string{"k"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.AssumedRoleARN != "arn:aws:sts::"+acct+":assumed-role/r/sess" || out.AssumedRoleID != r.ID+":sess" || out.PackedPolicySize == nil {
		t.Errorf("output %+v", out)
	}
	c, err := f.ring.Open(out.Credentials.SessionToken, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if !c.IssuedAt.Equal(f.now) || !c.Expires.Equal(f.now.Add(time.Hour)) || len(c.Tags) != 1 || len(c.TransitiveTagKeys) != 1 || c.RoleID != r.ID || c.ChainedFrom != "" {
		t.Errorf("claims %v", c)
	}
	// RoleLastUsed, once.
	got, _ := f.iam.GetRole(ctx, iam.Caller{Account: acct}, "r")
	if !got.LastUsed.Equal(f.now) || got.LastUsedRegion != "eu-west-1" {
		t.Errorf("last used %v %q", got.LastUsed, got.LastUsedRegion)
	}
	// Chained from this session: one hour at most, the transitive tag
	// carried and not overridable.
	parent := c
	chainedCaller := iam.Caller{Account: acct, ARN: out.AssumedRoleARN, UserID: out.AssumedRoleID, RoleARN: r.ARN, SessionName: "sess", Temporary: true}
	r2 := f.role(t, "r2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+r.ARN+`"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)
	d := int32(3601)
	_, err = f.svc.AssumeRole(ctx, chainedCaller, env, AssumeRoleInput{RoleArn: r2.ARN, RoleSessionName: "two", DurationSeconds: &d, Parent: &parent})
	wantCode(t, err, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	out2, err := f.svc.AssumeRole(ctx, chainedCaller, env, AssumeRoleInput{RoleArn: r2.ARN, RoleSessionName: "two", Parent: &parent})
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := f.ring.Open(out2.Credentials.SessionToken, f.now)
	if c2.ChainedFrom != r.ARN || len(c2.Tags) != 1 || c2.Tags[0] != (token.Tag{Key: "k", Value: "v"}) || len(c2.TransitiveTagKeys) != 1 {
		t.Errorf("chained claims %v", c2)
	}
	// Secrets never show in errors or String.
	if s := out.Credentials.String(); strings.Contains(s, out.Credentials.SecretAccessKey) || strings.Contains(s, out.Credentials.SessionToken) {
		t.Error("Credentials.String shows secrets")
	}
}

func TestPackedPolicyTooLarge(t *testing.T) {
	f := newFixture(t)
	f.svc.Tokens = tooLarge{}
	ctx := context.Background()
	_, err := f.svc.AssumeRoleForService(ctx, "ec2.amazonaws.com", "arn:aws:iam::"+acct+":role/none", "s1", 0, "", "")
	wantCode(t, err, "AccessDenied", "")
	c := token.Claims{Tags: []token.Tag{{Key: "a", Value: "b"}}}
	_, err = f.svc.seal(&c)
	wantCode(t, err, "PackedPolicyTooLarge", "")
	if e, _ := awserr.As(err); !strings.HasPrefix(e.Message, "Packed size of session tags consumes ") {
		t.Errorf("message %q", e.Message)
	}
	c = token.Claims{SessionPolicy: `{"Version":"2012-10-17"}`}
	_, err = f.svc.seal(&c)
	if e, _ := awserr.As(err); e == nil || !strings.HasPrefix(e.Message, "Packed policy consumes ") {
		t.Errorf("error %v", err)
	}
}

type tooLarge struct{}

func (tooLarge) Seal(token.Claims) (string, error) { return "", errors.Join(token.ErrTooLarge) }

func TestAuthorizationMessageRoundTrip(t *testing.T) {
	f := newFixture(t)
	f.svc.MessageKey = []byte("shared between replicas")
	m := &AuthorizationMessage{Allowed: false, ExplicitDeny: true}
	m.Context.Action = "ecs:RunTask"
	enc, err := f.svc.EncodeAuthorizationMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	other := &Service{IAM: f.iam, Authz: f.svc.Authz, MessageKey: []byte("shared between replicas")}
	root := iam.Caller{Account: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}
	js, err := other.DecodeAuthorizationMessage(context.Background(), root, &authz.Env{}, enc)
	if err != nil || !strings.Contains(js, `"explicitDeny":true`) || !strings.Contains(js, `"action":"ecs:RunTask"`) {
		t.Fatalf("decoded %s %v", js, err)
	}
	stranger := &Service{IAM: f.iam, Authz: f.svc.Authz}
	_, err = stranger.DecodeAuthorizationMessage(context.Background(), root, &authz.Env{}, enc)
	wantCode(t, err, "InvalidAuthorizationMessageException", "")
	_, err = stranger.DecodeAuthorizationMessage(context.Background(), root, &authz.Env{}, "!!not base64!!")
	wantCode(t, err, "InvalidAuthorizationMessageException", "")
}

// A role session whose role was deleted is refused, not told NoSuchEntity.
func TestAssumeRoleFromDeletedRole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	target := f.role(t, "target", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"sts:AssumeRole"}]}`)
	caller := iam.Caller{Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/gone/s1", UserID: "AROAGONE:s1", RoleARN: "arn:aws:iam::" + acct + ":role/gone", SessionName: "s1", Temporary: true}
	_, err := f.svc.AssumeRole(ctx, caller, &authz.Env{Now: f.now}, AssumeRoleInput{RoleArn: target.ARN, RoleSessionName: "s2"})
	wantCode(t, err, "AccessDenied", "User: arn:aws:sts::"+acct+":assumed-role/gone/s1 is not authorized to perform: sts:AssumeRole on resource: "+target.ARN)
}

func TestGetSessionTokenDomain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u, err := f.iam.CreateUser(ctx, iam.Caller{Account: acct}, iam.CreateUserInput{UserName: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	user := iam.Caller{Account: acct, ARN: u.ARN, UserID: u.ID, UserName: "bob", AccessKeyID: "AKIAEXAMPLEEXAMPLE01"}
	root := iam.Caller{Account: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}
	creds, err := f.svc.GetSessionToken(ctx, user, &authz.Env{}, GetSessionTokenInput{SerialNumber: "arn:aws:iam::123456789012:mfa/bob", TokenCode: "123456"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.ring.Open(creds.SessionToken, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != token.KindSession || c.UserARN != u.ARN || c.UserID != u.ID || c.MFA || !c.Expires.Equal(f.now.Add(12*time.Hour)) {
		t.Errorf("claims %v", c)
	}
	d := int32(129600)
	creds, err = f.svc.GetSessionToken(ctx, root, &authz.Env{}, GetSessionTokenInput{DurationSeconds: &d})
	if err != nil || !creds.Expiration.Equal(f.now.Add(time.Hour)) {
		t.Errorf("root session %v %v", creds, err)
	}
	_, err = f.svc.GetSessionToken(ctx, user, &authz.Env{}, GetSessionTokenInput{TokenCode: "12a456"})
	wantCode(t, err, "ValidationError", `1 validation error detected: Value '12a456' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\d]*`)

	// Sessions from GetSessionToken are temporary credentials: AssumeRole
	// from them is limited to one hour, and records who chained.
	r := f.role(t, "r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+u.ARN+`"},"Action":"sts:AssumeRole"}]}`)
	sess := user
	sess.Temporary = true
	two := int32(7200)
	_, err = f.svc.AssumeRole(ctx, sess, &authz.Env{}, AssumeRoleInput{RoleArn: r.ARN, RoleSessionName: "x1", DurationSeconds: &two, Parent: &c})
	wantCode(t, err, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	out, err := f.svc.AssumeRole(ctx, sess, &authz.Env{}, AssumeRoleInput{RoleArn: r.ARN, RoleSessionName: "x1", Parent: &c})
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := f.ring.Open(out.Credentials.SessionToken, f.now)
	if c2.ChainedFrom != u.ARN {
		t.Errorf("ChainedFrom %q", c2.ChainedFrom)
	}

	// GetAccessKeyInfo: the caller's own temporary key, stored long-term keys.
	if a, err := f.svc.GetAccessKeyInfo(ctx, iam.Caller{Account: acct, AccessKeyID: creds.AccessKeyID}, creds.AccessKeyID); err != nil || a != acct {
		t.Errorf("own temporary key: %q %v", a, err)
	}
	_, err = f.svc.GetAccessKeyInfo(ctx, user, creds.AccessKeyID)
	wantCode(t, err, "InvalidParameterValue", "")
	_, err = f.svc.GetAccessKeyInfo(ctx, user, "")
	wantCode(t, err, "ValidationError", "1 validation error detected: Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null")
}
