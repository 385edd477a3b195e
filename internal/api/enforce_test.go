package api

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
)

// sessionFor assumes a role allowing policy and returns the session's
// clients and raw credentials.
func sessionFor(t *testing.T, ts *stsServer, role, policy string) (clients, *awssts.AssumeRoleOutput) {
	t.Helper()
	alice, _ := ts.newUser(t, "alice-"+role, allowAssume)
	r := newRoleWith(t, ts.IAM, role, trustAWS(testAccount), policy)
	out := assume(t, alice.STS, &awssts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("s1")})
	return ts.asCreds(out.Credentials), out
}

func TestSessionPermissionsBoundary(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	sess, _ := sessionFor(t, ts, "bounded", allow("iam:*"))
	if _, err := sess.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("bounded")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.IAM.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("bounded"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.IAM.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("bounded")}); err != nil {
		t.Errorf("GetRole within the boundary: %v", err)
	}
	_, err := sess.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("x")})
	apiError(t, err, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/bounded/s1 is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/x because no permissions boundary allows the iam:CreateUser action", 403)
}

func TestSessionRevoked(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	sess, _ := sessionFor(t, ts, "revokable", allow("iam:ListRoles"))
	if _, err := sess.IAM.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
		t.Fatal(err)
	}
	// What the console's "Revoke active sessions" attaches
	// (id_roles_use_revoke-sessions.md).
	cutoff := time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339)
	revoke := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + cutoff + `"}}}]}`
	if _, err := ts.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("revokable"), PolicyName: aws.String("AWSRevokeOlderSessions"), PolicyDocument: aws.String(revoke)}); err != nil {
		t.Fatal(err)
	}
	_, err := sess.IAM.ListRoles(ctx, &awsiam.ListRolesInput{})
	apiError(t, err, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/revokable/s1 is not authorized to perform: iam:ListRoles on resource: * with an explicit deny in an identity-based policy", 403)
}

func TestSessionExpired(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	// Sessions minted two hours ago expired an hour ago.
	ts.Srv.STS.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	sess, _ := sessionFor(t, ts, "old", allow("iam:ListRoles"))
	_, err := sess.IAM.ListRoles(ctx, &awsiam.ListRolesInput{})
	apiError(t, err, "ExpiredToken", "The security token included in the request is expired", 403)
	_, err = sess.STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	apiError(t, err, "ExpiredToken", "The security token included in the request is expired", 403)
}

func TestSessionTokenTampered(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	_, out := sessionFor(t, ts, "r", allow("iam:ListRoles"))
	c := out.Credentials
	tok := []byte(aws.ToString(c.SessionToken))
	i := len(tok) / 2
	if tok[i] == 'A' {
		tok[i] = 'B'
	} else {
		tok[i] = 'A'
	}
	bad := ts.as(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), string(tok))
	_, err := bad.STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	apiError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.", 403)
	// Another session's token with this session's key.
	_, out2 := sessionFor(t, ts, "r2", allow("iam:ListRoles"))
	mixed := ts.as(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(out2.Credentials.SessionToken))
	_, err = mixed.STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	apiError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.", 403)
	// The right token with the wrong secret.
	wrong := ts.as(aws.ToString(c.AccessKeyId), strings.Repeat("x", 40), aws.ToString(c.SessionToken))
	_, err = wrong.STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	apiError(t, err, "SignatureDoesNotMatch", "", 403)
}

func TestSignatureChecks(t *testing.T) {
	ts := newSTSServer(t)
	ctx := context.Background()
	_, k := ts.newUser(t, "alice", allowAssume)
	akid, secret := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	wrong := ts.as(akid, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGSECRET", "")
	_, err := wrong.STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	apiError(t, err, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", 403)

	do := func(req *http.Request) (int, string) {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	// A request replayed 16 minutes later.
	status, resp := do(signAt(t, ts.URL+"/", "sts", body, akid, secret, "", time.Now().Add(-16*time.Minute)))
	if status != 403 || !strings.Contains(resp, "<Code>SignatureDoesNotMatch</Code>") || !strings.Contains(resp, "<Message>Signature expired: ") {
		t.Errorf("replayed request: %d %s", status, resp)
	}
	// A body altered after signing.
	roleBody := "Action=AssumeRole&Version=2011-06-15&RoleArn=" + url.QueryEscape("arn:aws:iam::123456789012:role/a") + "&RoleSessionName=s1"
	req := signAt(t, ts.URL+"/", "sts", roleBody, akid, secret, "", time.Now())
	altered := strings.Replace(roleBody, "role%2Fa", "role%2Fb", 1)
	forged, err := http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader(altered))
	if err != nil {
		t.Fatal(err)
	}
	forged.Header = req.Header.Clone()
	status, resp = do(forged)
	if status != 403 || !strings.Contains(resp, "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("altered body: %d %s", status, resp)
	}
	// An inactive access key.
	if _, err := ts.IAM.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(akid), Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	_, err = ts.as(akid, secret, "").STS.GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	apiError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.", 403)
}
