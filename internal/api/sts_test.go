package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/rolecall/rolecall/internal/sts"
)

// stsServer is a test server whose Server is reachable (for STS.Now).
type stsServer struct {
	*testServer
	Srv *Server
	STS *awssts.Client
}

func newSTSServer(t testing.TB) *stsServer {
	t.Helper()
	ts := newTestServer(t)
	return &stsServer{testServer: ts, Srv: ts.Server, STS: awssts.NewFromConfig(ts.Cfg)}
}

// clients are the SDK clients of one set of credentials.
type clients struct {
	IAM *awsiam.Client
	STS *awssts.Client
}

func (ts *stsServer) as(key, secret, sessionToken string) clients {
	cfg := ts.Cfg.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, sessionToken)
	return clients{IAM: awsiam.NewFromConfig(cfg), STS: awssts.NewFromConfig(cfg)}
}

func (ts *stsServer) asCreds(c *ststypes.Credentials) clients {
	return ts.as(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

// newUser creates an IAM user with an inline policy (when policy is not
// empty) and an access key, and returns its clients.
func (ts *stsServer) newUser(t testing.TB, name, policy string) (clients, *awsiam.CreateAccessKeyOutput) {
	t.Helper()
	ctx := context.Background()
	if _, err := ts.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := ts.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return ts.as(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""), k
}

// newRoleWith creates a role with a trust policy and an optional inline
// permissions policy.
func newRoleWith(t testing.TB, c *awsiam.Client, name, trust, policy string) *awsiam.CreateRoleOutput {
	t.Helper()
	ctx := context.Background()
	r, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(43200)})
	if err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("perms"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func trustAWS(principal string, extra ...string) string {
	cond := ""
	if len(extra) > 0 {
		cond = `,"Condition":` + extra[0]
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]` + cond + `}]}`
}

func allow(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
}

const (
	userARN     = "arn:aws:iam::123456789012:user/alice"
	allowAssume = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
)

func assume(t testing.TB, c *awssts.Client, in *awssts.AssumeRoleInput) *awssts.AssumeRoleOutput {
	t.Helper()
	out, err := c.AssumeRole(context.Background(), in)
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", aws.ToString(in.RoleArn), err)
	}
	return out
}

func TestAssumeRoleByUser(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	alice, _ := ts.newUser(t, "alice", allowAssume)
	role := newRoleWith(t, ts.IAM, "reader", trustAWS(userARN), allow("iam:ListRoles", "iam:GetRole"))
	roleARN := aws.ToString(role.Role.Arn)

	id, err := alice.STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != userARN {
		t.Fatalf("user identity %v %v", id, err)
	}
	out := assume(t, alice.STS, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")})
	c := out.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || len(aws.ToString(c.AccessKeyId)) != 20 || len(aws.ToString(c.SecretAccessKey)) != 40 || aws.ToString(c.SessionToken) == "" {
		t.Errorf("credentials %+v", c)
	}
	if d := time.Until(aws.ToTime(c.Expiration)); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("expiration in %v, want 1h", d)
	}
	roleID := aws.ToString(role.Role.RoleId)
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/reader/s1" || aws.ToString(out.AssumedRoleUser.AssumedRoleId) != roleID+":s1" {
		t.Errorf("assumed role user %+v", out.AssumedRoleUser)
	}
	if out.PackedPolicySize != nil {
		t.Errorf("PackedPolicySize %d without session policies", *out.PackedPolicySize)
	}
	sess := ts.asCreds(c)
	id, err = sess.STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != "arn:aws:sts::123456789012:assumed-role/reader/s1" || aws.ToString(id.UserId) != roleID+":s1" || aws.ToString(id.Account) != testAccount {
		t.Errorf("session identity %s %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(id.Account))
	}
	if _, err := sess.IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles with the session: %v", err)
	}
	_, err = sess.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("X"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	apiError(t, err, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/reader/s1 is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/X because no identity-based policy allows the iam:CreateRole action", 403)

	// RoleLastUsed is recorded.
	g, err := ts.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("reader")})
	if err != nil {
		t.Fatal(err)
	}
	if g.Role.RoleLastUsed == nil || g.Role.RoleLastUsed.LastUsedDate == nil || aws.ToString(g.Role.RoleLastUsed.Region) != "us-east-1" {
		t.Errorf("RoleLastUsed %+v", g.Role.RoleLastUsed)
	}
}

func TestAssumeRoleRefused(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	alice, _ := ts.newUser(t, "alice", allowAssume)
	bob, _ := ts.newUser(t, "bob", "")
	other := newRoleWith(t, ts.IAM, "other", trustAWS("arn:aws:iam::123456789012:user/bob"), "")
	acct := newRoleWith(t, ts.IAM, "acct", trustAWS(testAccount), "")

	// The trust policy does not name alice.
	_, err := alice.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: other.Role.Arn, RoleSessionName: aws.String("s1")})
	apiError(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/other", 403)
	// Naming bob directly is enough without an identity policy.
	assume(t, bob.STS, &awssts.AssumeRoleInput{RoleArn: other.Role.Arn, RoleSessionName: aws.String("s1")})
	// Naming only the account needs the caller's identity policy to allow it.
	_, err = bob.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: acct.Role.Arn, RoleSessionName: aws.String("s1")})
	apiError(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/acct", 403)
	assume(t, alice.STS, &awssts.AssumeRoleInput{RoleArn: acct.Role.Arn, RoleSessionName: aws.String("s1")})
	// A role that does not exist is refused the same way.
	_, err = alice.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/nope"), RoleSessionName: aws.String("s1")})
	apiError(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/nope", 403)
	// The account root may not assume roles.
	_, err = ts.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: acct.Role.Arn, RoleSessionName: aws.String("s1")})
	apiError(t, err, "AccessDenied", "Roles may not be assumed by root accounts.", 403)
}

func TestAssumeRoleValidation(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	alice, _ := ts.newUser(t, "alice", allowAssume)
	r := newRoleWith(t, ts.IAM, "r", trustAWS(userARN), "")
	short := newRoleWith(t, ts.IAM, "short", trustAWS(userARN), "")
	if _, err := ts.IAM.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("short"), MaxSessionDuration: aws.Int32(3600)}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   awssts.AssumeRoleInput
		code string
		msg  string
	}{
		// Recorded from AWS (sts__test_sts.snapshot.json).
		{awssts.AssumeRoleInput{RoleArn: aws.String("nothing-valid-in-here"), RoleSessionName: aws.String("s1")}, "ValidationError", "nothing-valid-in-here is invalid"},
		{awssts.AssumeRoleInput{RoleArn: aws.String("arn::b:::something/test-role"), RoleSessionName: aws.String("s1")}, "ValidationError", "arn::b:::something/test-role is invalid"},
		{awssts.AssumeRoleInput{RoleArn: aws.String("arn:a::::something/test-role"), RoleSessionName: aws.String("s1")}, "ValidationError", "arn:a::::something/test-role is invalid"},
		{awssts.AssumeRoleInput{RoleArn: aws.String("arn:a:::something/test-role"), RoleSessionName: aws.String("s1")}, "ValidationError", "arn:a:::something/test-role is invalid"},
		{awssts.AssumeRoleInput{RoleArn: aws.String("arn:a:a::aaaaaaaaaa:"), RoleSessionName: aws.String("s1")}, "ValidationError", "arn:a:a::aaaaaaaaaa: is invalid"},
		{awssts.AssumeRoleInput{RoleArn: aws.String("arn:a:b:::something/test-role"), RoleSessionName: aws.String("Session1:2")}, "ValidationError", `1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String(strings.Repeat("s", 65))}, "ValidationError", "1 validation error detected: Value '" + strings.Repeat("s", 65) + "' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), Tags: []ststypes.Tag{{Key: aws.String("SessionTag1"), Value: aws.String("v")}}, TransitiveTagKeys: []string{"InvalidKey"}}, "InvalidParameterValue", "The specified transitive tag key must be included in the requested tags."},
		{awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), Tags: []ststypes.Tag{{Key: aws.String("SessionTag1"), Value: aws.String("v")}, {Key: aws.String("sessiontag1"), Value: aws.String("w")}}, TransitiveTagKeys: []string{"sessiontag1"}}, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		// Durations.
		{awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(899)}, "ValidationError", "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(43201)}, "ValidationError", "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{awssts.AssumeRoleInput{RoleArn: short.Role.Arn, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(3601)}, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		// Session policies.
		{awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*"}]}`)}, "MalformedPolicyDocument", ""},
		{awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), Policy: aws.String(strings.Repeat(" ", 2049))}, "ValidationError", "1 validation error detected: Value '" + strings.Repeat(" ", 2049) + "' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::123456789012:policy/missing")}}}, "InvalidParameterValue", "Policy arn:aws:iam::123456789012:policy/missing does not exist or is not attachable."},
	}
	for _, c := range cases {
		_, err := alice.STS.AssumeRole(ctx, &c.in)
		status := 400
		apiError(t, err, c.code, c.msg, status)
	}
	// 51 tags, and tags too large for a session token.
	var tags []ststypes.Tag
	for i := 0; i < 51; i++ {
		// Incompressible: distinct hashes.
		v := ""
		for j := 0; j < 4; j++ {
			h := sha256.Sum256([]byte{byte(i), byte(j)})
			v += hex.EncodeToString(h[:])
		}
		tags = append(tags, ststypes.Tag{Key: aws.String(v[:120] + string(rune('A'+i%26)) + string(rune('a'+i/26))), Value: aws.String(v)})
	}
	_, err := alice.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), Tags: tags})
	apiError(t, err, "ValidationError", "", 400)
	_, err = alice.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), Tags: tags[:50]})
	apiError(t, err, "PackedPolicyTooLarge", "", 400)
}

func TestAssumeRoleSessionPolicyAndTags(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	alice, _ := ts.newUser(t, "alice", allowAssume)
	r := newRoleWith(t, ts.IAM, "r", trustAWS(userARN), allow("iam:ListRoles", "iam:GetRole", "iam:ListUsers"))
	listUsers, err := ts.IAM.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("list-users"), PolicyDocument: aws.String(allow("iam:ListUsers"))})
	if err != nil {
		t.Fatal(err)
	}
	out := assume(t, alice.STS, &awssts.AssumeRoleInput{
		RoleArn: r.Role.Arn, RoleSessionName: aws.String("narrow"),
		Policy:         aws.String(allow("iam:ListRoles")),
		PolicyArns:     []ststypes.PolicyDescriptorType{{Arn: listUsers.Policy.Arn}},
		Tags:           []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("infra")}},
		SourceIdentity: aws.String("alice"),
	})
	if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 || *out.PackedPolicySize > 100 {
		t.Errorf("PackedPolicySize %v", out.PackedPolicySize)
	}
	if aws.ToString(out.SourceIdentity) != "alice" {
		t.Errorf("SourceIdentity %q", aws.ToString(out.SourceIdentity))
	}
	sess := ts.asCreds(out.Credentials)
	if _, err := sess.IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles: %v", err)
	}
	if _, err := sess.IAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers (managed session policy): %v", err)
	}
	// The role allows GetRole, but neither session policy does.
	_, err = sess.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("r")})
	apiError(t, err, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/r/narrow is not authorized to perform: iam:GetRole on resource: arn:aws:iam::123456789012:role/r because no session policy allows the iam:GetRole action", 403)

	// Tags need sts:TagSession in the trust policy.
	noTag := newRoleWith(t, ts.IAM, "notag", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+userARN+`"},"Action":"sts:AssumeRole"}]}`, "")
	_, err = alice.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: noTag.Role.Arn, RoleSessionName: aws.String("s1"), Tags: []ststypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	apiError(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:TagSession on resource: arn:aws:iam::123456789012:role/notag", 403)
	assume(t, alice.STS, &awssts.AssumeRoleInput{RoleArn: noTag.Role.Arn, RoleSessionName: aws.String("s1")})
}

func TestAssumeRoleChaining(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	alice, _ := ts.newUser(t, "alice", allowAssume)
	first := newRoleWith(t, ts.IAM, "first", trustAWS(userARN), allowAssume)
	second := newRoleWith(t, ts.IAM, "second", trustAWS("arn:aws:iam::123456789012:role/first"), allow("iam:ListRoles"))
	out := assume(t, alice.STS, &awssts.AssumeRoleInput{
		RoleArn: first.Role.Arn, RoleSessionName: aws.String("one"), DurationSeconds: aws.Int32(7200),
		Tags:              []ststypes.Tag{{Key: aws.String("SessionTag1"), Value: aws.String("SessionValue1")}},
		TransitiveTagKeys: []string{"SessionTag1"},
		SourceIdentity:    aws.String("alice-src"),
	})
	sess := ts.asCreds(out.Credentials)
	_, err := sess.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: second.Role.Arn, RoleSessionName: aws.String("two"), DurationSeconds: aws.Int32(3601)})
	apiError(t, err, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", 400)
	for _, key := range []string{"SessionTag1", "sessiontag1"} {
		_, err = sess.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: second.Role.Arn, RoleSessionName: aws.String("two"), Tags: []ststypes.Tag{{Key: aws.String(key), Value: aws.String("SessionValue2")}}})
		apiError(t, err, "InvalidParameterValue", "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.", 400)
	}
	_, err = sess.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: second.Role.Arn, RoleSessionName: aws.String("two"), SourceIdentity: aws.String("someone-else")})
	apiError(t, err, "AccessDenied", "", 403)
	out2 := assume(t, sess.STS, &awssts.AssumeRoleInput{RoleArn: second.Role.Arn, RoleSessionName: aws.String("two"), DurationSeconds: aws.Int32(3600)})
	if aws.ToString(out2.SourceIdentity) != "alice-src" {
		t.Errorf("chained SourceIdentity %q", aws.ToString(out2.SourceIdentity))
	}
	id, err := ts.asCreds(out2.Credentials).STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::123456789012:assumed-role/second/two" {
		t.Errorf("chained identity %v %v", id, err)
	}
	// The transitive tag reached the chained session: a trust policy can
	// require it as aws:PrincipalTag.
	third := newRoleWith(t, ts.IAM, "third", trustAWS(testAccount, `{"StringEquals":{"aws:PrincipalTag/SessionTag1":"SessionValue1"}}`), "")
	sess2 := ts.asCreds(out2.Credentials)
	if _, err := sess2.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: third.Role.Arn, RoleSessionName: aws.String("three")}); err == nil {
		t.Error("second's policy does not allow sts:AssumeRole, yet the chained session assumed third")
	}
	if _, err := ts.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("second"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(allowAssume)}); err != nil {
		t.Fatal(err)
	}
	assume(t, sess2.STS, &awssts.AssumeRoleInput{RoleArn: third.Role.Arn, RoleSessionName: aws.String("three")})
}

func TestAssumeRoleExternalID(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	alice, _ := ts.newUser(t, "alice", allowAssume)
	r := newRoleWith(t, ts.IAM, "vendor", trustAWS(userARN, `{"StringEquals":{"sts:ExternalId":"Unique-1234"}}`), "")
	for _, ext := range []*string{nil, aws.String("wrong-id")} {
		_, err := alice.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), ExternalId: ext})
		apiError(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/vendor", 403)
	}
	assume(t, alice.STS, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1"), ExternalId: aws.String("Unique-1234")})
	// sts:RoleSessionName conditions too.
	named := newRoleWith(t, ts.IAM, "named", trustAWS(userARN, `{"StringEquals":{"sts:RoleSessionName":"${aws:username}"}}`), "")
	_, err := alice.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: named.Role.Arn, RoleSessionName: aws.String("bob")})
	apiError(t, err, "AccessDenied", "", 403)
	assume(t, alice.STS, &awssts.AssumeRoleInput{RoleArn: named.Role.Arn, RoleSessionName: aws.String("alice")})
}

func TestAssumeRoleCrossAccount(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	const other, otherKey, otherSecret = "210987654321", "AKIAOTHERACCOUNTKEY1", "otherSecretKeyotherSecretKeyotherSecret1"
	if _, err := ts.Svc.EnsureAccount(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.AddRootAccessKey(ctx, other, otherKey, otherSecret); err != nil {
		t.Fatal(err)
	}
	otherRoot := ts.as(otherKey, otherSecret, "")
	r := newRoleWith(t, otherRoot.IAM, "shared", trustAWS(testAccount), allow("iam:ListRoles"))
	if aws.ToString(r.Role.Arn) != "arn:aws:iam::210987654321:role/shared" {
		t.Fatalf("role ARN %s", aws.ToString(r.Role.Arn))
	}
	alice, _ := ts.newUser(t, "alice", allowAssume)
	bob, _ := ts.newUser(t, "bob", "")
	_, err := bob.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("x1")})
	apiError(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/shared", 403)
	out := assume(t, alice.STS, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("x1")})
	sess := ts.asCreds(out.Credentials)
	id, err := sess.STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != other || aws.ToString(id.Arn) != "arn:aws:sts::210987654321:assumed-role/shared/x1" {
		t.Fatalf("cross-account identity %v %v", id, err)
	}
	roles, err := sess.IAM.ListRoles(ctx, &awsiam.ListRolesInput{})
	if err != nil || len(roles.Roles) != 1 || aws.ToString(roles.Roles[0].RoleName) != "shared" {
		t.Errorf("roles seen by the session: %v %v", roles, err)
	}
	// A role of the other account that trusts nobody in this one.
	own := newRoleWith(t, otherRoot.IAM, "private", trustAWS(other), "")
	_, err = alice.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: own.Role.Arn, RoleSessionName: aws.String("x1")})
	apiError(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/private", 403)
}

func TestGetSessionToken(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	alice, _ := ts.newUser(t, "alice", allow("iam:ListUsers", "sts:AssumeRole"))
	out, err := alice.STS.GetSessionToken(ctx, &awssts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d < 14*time.Minute || d > 16*time.Minute {
		t.Errorf("expiration in %v", d)
	}
	sess := ts.asCreds(out.Credentials)
	id, err := sess.STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != userARN {
		t.Fatalf("session identity %v %v", id, err)
	}
	// Without MFA, GetSessionToken credentials cannot call IAM.
	_, err = sess.IAM.ListUsers(ctx, &awsiam.ListUsersInput{})
	apiError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid", 403)
	_, err = sess.STS.GetSessionToken(ctx, &awssts.GetSessionTokenInput{})
	apiError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
	// Of STS, only AssumeRole and GetCallerIdentity.
	_, err = sess.STS.GetAccessKeyInfo(ctx, &awssts.GetAccessKeyInfoInput{AccessKeyId: out.Credentials.AccessKeyId})
	apiError(t, err, "AccessDenied", "Cannot call GetAccessKeyInfo with session credentials", 403)
	_, err = sess.STS.DecodeAuthorizationMessage(ctx, &awssts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("x")})
	apiError(t, err, "AccessDenied", "Cannot call DecodeAuthorizationMessage with session credentials", 403)
	if _, err := sess.STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	// Default 12 hours; the root gets at most one hour.
	out, err = alice.STS.GetSessionToken(ctx, &awssts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d < 11*time.Hour || d > 13*time.Hour {
		t.Errorf("default expiration in %v", d)
	}
	out, err = ts.STS.GetSessionToken(ctx, &awssts.GetSessionTokenInput{DurationSeconds: aws.Int32(7200)})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d > time.Hour+time.Minute {
		t.Errorf("root session expires in %v", d)
	}
	_, err = alice.STS.GetSessionToken(ctx, &awssts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)})
	apiError(t, err, "ValidationError", "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600", 400)
	// Session credentials of a role may not call it.
	r := newRoleWith(t, ts.IAM, "r", trustAWS(userARN), "")
	ar := assume(t, alice.STS, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1")})
	_, err = ts.asCreds(ar.Credentials).STS.GetSessionToken(ctx, &awssts.GetSessionTokenInput{})
	apiError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
}

func TestGetAccessKeyInfo(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	alice, k := ts.newUser(t, "alice", "")
	out, err := ts.STS.GetAccessKeyInfo(ctx, &awssts.GetAccessKeyInfoInput{AccessKeyId: k.AccessKey.AccessKeyId})
	if err != nil || aws.ToString(out.Account) != testAccount {
		t.Fatalf("GetAccessKeyInfo %v %v", out, err)
	}
	// A role session's own temporary key (GetSessionToken sessions may not
	// call GetAccessKeyInfo: TestGetSessionToken).
	r := newRoleWith(t, ts.IAM, "r", trustAWS(userARN), "")
	tok := assume(t, alice.STS, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1")})
	out, err = ts.asCreds(tok.Credentials).STS.GetAccessKeyInfo(ctx, &awssts.GetAccessKeyInfoInput{AccessKeyId: tok.Credentials.AccessKeyId})
	if err != nil || aws.ToString(out.Account) != testAccount {
		t.Fatalf("GetAccessKeyInfo of the caller's temporary key %v %v", out, err)
	}
	_, err = ts.STS.GetAccessKeyInfo(ctx, &awssts.GetAccessKeyInfoInput{AccessKeyId: aws.String("short")})
	apiError(t, err, "ValidationError", "1 validation error detected: Value 'short' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16", 400)
	_, err = ts.STS.GetAccessKeyInfo(ctx, &awssts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAI44QH8DHBEXAMPLE")})
	apiError(t, err, "InvalidParameterValue", "", 400)
}

func TestDecodeAuthorizationMessage(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	msg := &sts.AuthorizationMessage{}
	msg.Context.Principal = sts.AuthzPrincipal{ID: "AIDAEXAMPLE", Name: "alice", ARN: userARN}
	msg.Context.Action = "ecs:RunTask"
	msg.Context.Resource = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
	enc, err := ts.Srv.STS.EncodeAuthorizationMessage(msg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ts.STS.DecodeAuthorizationMessage(ctx, &awssts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(enc)})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"allowed":false,"explicitDeny":false,"matchedStatements":{"items":[]},"failures":{"items":[]},"context":{"principal":{"id":"AIDAEXAMPLE","name":"alice","arn":"arn:aws:iam::123456789012:user/alice"},"action":"ecs:RunTask","resource":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:1","conditions":{"items":[]}}}`
	if aws.ToString(out.DecodedMessage) != want {
		t.Errorf("decoded %s", aws.ToString(out.DecodedMessage))
	}
	tampered := []byte(enc)
	tampered[len(tampered)/2] ^= 1
	_, err = ts.STS.DecodeAuthorizationMessage(ctx, &awssts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(string(tampered))})
	apiError(t, err, "InvalidAuthorizationMessageException", "", 400)
	alice, _ := ts.newUser(t, "alice", "")
	_, err = alice.STS.DecodeAuthorizationMessage(ctx, &awssts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(enc)})
	apiError(t, err, "AccessDenied", "", 403)
	bob, _ := ts.newUser(t, "bob", allow("sts:DecodeAuthorizationMessage"))
	if _, err := bob.STS.DecodeAuthorizationMessage(ctx, &awssts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(enc)}); err != nil {
		t.Error(err)
	}
}

// TestAssumeRoleXML checks the raw response shape against AWS's.
func TestAssumeRoleXML(t *testing.T) {
	ts := newSTSServer(t)
	newRoleWith(t, ts.IAM, "r", trustAWS(testAccount), "")
	_, k := ts.newUser(t, "alice", allowAssume)
	body := "Action=AssumeRole&Version=2011-06-15&RoleArn=" + url.QueryEscape("arn:aws:iam::123456789012:role/r") + "&RoleSessionName=s1&Policy=" + url.QueryEscape(allow("iam:ListRoles"))
	req := signedRequest(t, ts.URL+"/", "sts", body, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	s := string(b)
	for _, want := range []string{
		`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s1</Arn><AssumedRoleId>AROA`,
		`:s1</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>ASIA`,
		`</AccessKeyId><SecretAccessKey>`, `</SecretAccessKey><SessionToken>`, `</SessionToken><Expiration>`,
		`Z</Expiration></Credentials><PackedPolicySize>`,
		`</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("response lacks %q:\n%s", want, s)
		}
	}
}

// signAt signs body for service with the given time.
func signAt(t testing.TB, endpoint, service, body, key, secret, sessionToken string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: sessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req
}

// TestAssumeRoleDev: with serve --dev every caller is an unchecked root, and
// any existing role may be assumed, as with moto or LocalStack.
func TestAssumeRoleDev(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	r := newRoleWith(t, ts.IAM, "svc", ec2Trust, "")
	ts.Srv.Dev = true
	dev := ts.as("AKIAANYKEYATALL00000", "whatever", "")
	out, err := dev.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/svc/dev" {
		t.Errorf("assumed %s", aws.ToString(out.AssumedRoleUser.Arn))
	}
	_, err = dev.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/missing"), RoleSessionName: aws.String("dev")})
	apiError(t, err, "AccessDenied", "", 403)
	_, err = dev.STS.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("d")})
	apiError(t, err, "ValidationError", "", 400)
}
