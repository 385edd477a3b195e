package policy

import "testing"

// reference_policies_elements_notaction.md.
func TestNotAction(t *testing.T) {
	notDeleteBucket := pol(t, TypeIdentity, "s3-but-delete", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::*"}}`)
	notIAM := pol(t, TypeIdentity, "all-but-iam", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`)
	notIAMUpper := pol(t, TypeIdentity, "all-but-iam-upper", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":["IAM:*","sts:Get*"],"Resource":"*"}}`)
	mfa := pol(t, TypeIdentity, "DenyAllUsersNotUsingMFA", `{"Version":"2012-10-17","Statement":[{"Sid":"DenyAllUsersNotUsingMFA","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	all := pol(t, TypeIdentity, "all", allowAllDoc)
	id := func(ps ...*Policy) Set { return Set{Identity: ps} }
	runEval(t, []evalCase{
		// "NotAction with Allow": every S3 action on S3 resources except
		// DeleteBucket; not ListAllMyBuckets (resource "*") nor other services.
		{"Allow NotAction: other S3 action", id(notDeleteBucket), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::b/k"), Allowed, ReasonIdentityAllows},
		{"Allow NotAction: the excluded action", id(notDeleteBucket), req(t, userAlice, "s3:DeleteBucket", "arn:aws:s3:::b"), ImplicitDeny, ReasonNoIdentityAllow},
		{"Allow NotAction: excluded action in other case", id(notDeleteBucket), req(t, userAlice, "S3:deletebucket", "arn:aws:s3:::b"), ImplicitDeny, ReasonNoIdentityAllow},
		{"Allow NotAction: action needing resource *", id(notDeleteBucket), req(t, userAlice, "s3:ListAllMyBuckets", "*"), ImplicitDeny, ReasonNoIdentityAllow},
		{"Allow NotAction: other service's resource", id(notDeleteBucket), req(t, userAlice, "ec2:RunInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"), ImplicitDeny, ReasonNoIdentityAllow},
		{"Allow NotAction iam:*: S3", id(notIAM), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::b/k"), Allowed, ReasonIdentityAllows},
		{"Allow NotAction iam:*: IAM", id(notIAM), req(t, userAlice, "iam:CreateUser", "arn:aws:iam::111122223333:user/x"), ImplicitDeny, ReasonNoIdentityAllow},
		{"NotAction is case-insensitive", id(notIAMUpper), req(t, userAlice, "iam:createuser", "*"), ImplicitDeny, ReasonNoIdentityAllow},
		{"NotAction several entries", id(notIAMUpper), req(t, userAlice, "sts:GetCallerIdentity", "*"), ImplicitDeny, ReasonNoIdentityAllow},
		{"NotAction several entries, outside", id(notIAMUpper), req(t, userAlice, "sts:AssumeRole", roleDev), Allowed, ReasonIdentityAllows},
		// "NotAction with Deny".
		{"Deny NotAction without MFA: S3 denied", id(all, mfa), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::b/k"), ExplicitDeny, ReasonDenyIdentity},
		{"Deny NotAction without MFA: IAM not denied", id(all, mfa), req(t, userAlice, "iam:ListUsers", "*"), Allowed, ReasonIdentityAllows},
		{"Deny NotAction with MFA false", id(all, mfa), req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k", "aws:MultiFactorAuthPresent", "false"), ExplicitDeny, ReasonDenyIdentity},
		{"Deny NotAction with MFA", id(all, mfa), req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k", "aws:MultiFactorAuthPresent", "true"), Allowed, ReasonIdentityAllows},
		{"Deny NotAction grants nothing", id(mfa), req(t, userAlice, "iam:ListUsers", "*"), ImplicitDeny, ReasonNoIdentityAllow},
	})
}

// reference_policies_elements_notresource.md.
func TestNotResource(t *testing.T) {
	payroll := pol(t, TypeIdentity, "HRPayroll", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}}`)
	all := pol(t, TypeIdentity, "all", allowAllDoc)
	dangerous := pol(t, TypeIdentity, "dangerous", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::HRBucket"}}`)
	id := func(ps ...*Policy) Set { return Set{Identity: ps} }
	runEval(t, []evalCase{
		{"Deny NotResource: other bucket denied", id(all, payroll), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::HRBucket/Other/x"), ExplicitDeny, ReasonDenyIdentity},
		{"Deny NotResource: listed folder", id(all, payroll), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/jan.csv"), Allowed, ReasonIdentityAllows},
		{"Deny NotResource: listed folder itself", id(all, payroll), req(t, userAlice, "s3:ListBucket", "arn:aws:s3:::HRBucket/Payroll"), Allowed, ReasonIdentityAllows},
		{"Deny NotResource: only the statement's actions", id(all, payroll), req(t, userAlice, "ec2:RunInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"), Allowed, ReasonIdentityAllows},
		{"Deny NotResource grants nothing", id(payroll), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/jan.csv"), ImplicitDeny, ReasonNoIdentityAllow},
		// "NotResource with other elements": Allow * on everything but the
		// bucket (objects in it are other resources).
		{"Allow NotResource: other resource", id(dangerous), req(t, userAlice, "iam:PutUserPolicy", userAlice), Allowed, ReasonIdentityAllows},
		{"Allow NotResource: the excluded bucket", id(dangerous), req(t, userAlice, "s3:ListBucket", "arn:aws:s3:::HRBucket"), ImplicitDeny, ReasonNoIdentityAllow},
		{"Allow NotResource: objects are other resources", id(dangerous), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::HRBucket/x"), Allowed, ReasonIdentityAllows},
	})
}

// reference_policies_elements_notprincipal.md.
func TestNotPrincipal(t *testing.T) {
	const bucket = "arn:aws:s3:::BUCKETNAME/report.csv"
	// "Example IAM user in the same or a different account": everyone but
	// Bob (and his account) is denied; another statement grants his
	// account.
	bobOnly := pol(t, TypeResource, "bob-only", `{"Version":"2012-10-17","Statement":[{
		"Effect":"Deny",
		"NotPrincipal":{"AWS":["arn:aws:iam::444455556666:user/Bob","arn:aws:iam::444455556666:root"]},
		"Action":"s3:*",
		"Resource":["arn:aws:s3:::BUCKETNAME","arn:aws:s3:::BUCKETNAME/*"]},
		{"Effect":"Allow","Principal":{"AWS":["444455556666","111122223333"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKETNAME/*"}]}`)
	// "Example IAM role in the same or different account".
	audit := pol(t, TypeResource, "audit", `{"Version":"2012-10-17","Statement":[{
		"Effect":"Deny",
		"NotPrincipal":{"AWS":[
			"arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app",
			"arn:aws:iam::444455556666:role/cross-account-read-only-role",
			"arn:aws:iam::444455556666:root"]},
		"Action":"s3:*",
		"Resource":["arn:aws:s3:::Bucket_AccountAudit","arn:aws:s3:::Bucket_AccountAudit/*"]},
		{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::Bucket_AccountAudit/*"}]}`)
	// "NotPrincipal With Allow": everyone except the named principal.
	allowAllButBob := pol(t, TypeResource, "all-but-bob", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pub/*"}}`)
	idAll := pol(t, TypeIdentity, "all", allowAllDoc)
	inB := func(caller, resource string) Request {
		r := req(t, caller, "s3:GetObject", resource)
		r.ResourceAccount = acctA
		return r
	}
	runEval(t, []evalCase{
		{"Bob is not denied", Set{Identity: []*Policy{idAll}, Resource: bobOnly}, inB("arn:aws:iam::444455556666:user/Bob", bucket), Allowed, ReasonIdentityAllows},
		{"another user in Bob's account is denied", Set{Identity: []*Policy{idAll}, Resource: bobOnly}, inB("arn:aws:iam::444455556666:user/Alice", bucket), ExplicitDeny, ReasonDenyResource},
		{"a session in Bob's account is denied", Set{Identity: []*Policy{idAll}, Resource: bobOnly}, inB(sessionOps, bucket), ExplicitDeny, ReasonDenyResource},
		{"Bob's account root is not denied", Set{Resource: bobOnly}, inB(rootB, bucket), Allowed, ReasonIdentityAllows},
		{"a user of the bucket's account is denied", Set{Identity: []*Policy{idAll}, Resource: bobOnly}, inB(userAlice, bucket), ExplicitDeny, ReasonDenyResource},
		{"anonymous is denied", Set{Resource: bobOnly}, inB("*", bucket), ExplicitDeny, ReasonDenyResource},
		{"a service is denied", Set{Resource: bobOnly}, inB("cloudtrail.amazonaws.com", bucket), ExplicitDeny, ReasonDenyResource},
		{"other resources are not affected", Set{Identity: []*Policy{idAll}, Resource: bobOnly}, inB(userAlice, "arn:aws:s3:::OTHER/x"), Allowed, ReasonIdentityAllows},
		{"the listed session is not denied", Set{Identity: []*Policy{idAll}, Resource: audit}, inB("arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app", "arn:aws:s3:::Bucket_AccountAudit/x"), Allowed, ReasonIdentityAllows},
		{"another session of the listed role is denied", Set{Identity: []*Policy{idAll}, Resource: audit}, inB("arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/someone-else", "arn:aws:s3:::Bucket_AccountAudit/x"), ExplicitDeny, ReasonDenyResource},
		{"a user of the listed account is denied", Set{Identity: []*Policy{idAll}, Resource: audit}, inB("arn:aws:iam::444455556666:user/Alice", "arn:aws:s3:::Bucket_AccountAudit/x"), ExplicitDeny, ReasonDenyResource},
		// Allow with NotPrincipal grants everyone else, anonymous users
		// included, as Principal "*" would.
		{"Allow NotPrincipal grants another user", Set{Resource: allowAllButBob}, inB(userAlice, "arn:aws:s3:::pub/x"), Allowed, ReasonResourceAllows},
		{"Allow NotPrincipal grants a role session", Set{Resource: allowAllButBob}, inB(sessionDev, "arn:aws:s3:::pub/x"), Allowed, ReasonResourceAllows},
		{"Allow NotPrincipal grants anonymous", Set{Resource: allowAllButBob}, inB("*", "arn:aws:s3:::pub/x"), Allowed, ReasonResourceAllows},
		{"Allow NotPrincipal does not grant the named user", Set{Resource: allowAllButBob}, inB(userBob, "arn:aws:s3:::pub/x"), ImplicitDeny, ReasonNoIdentityAllow},
		{"Allow NotPrincipal across accounts needs identity", Set{Resource: allowAllButBob}, inB(userCarol, "arn:aws:s3:::pub/x"), ImplicitDeny, ReasonNoIdentityAllow},
	})
}

// reference_policies_elements_resource.md, "Using wildcards in resource
// ARNs": '*' spans '/' within the resource part.
func TestResourceWildcards(t *testing.T) {
	p := pol(t, TypeIdentity, "test-objects", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*"}}`)
	for _, obj := range []string{
		"DOC-EXAMPLE-BUCKET/1/test/object.jpg",
		"DOC-EXAMPLE-BUCKET/1/2/test/object.jpg",
		"DOC-EXAMPLE-BUCKET/1/2/test/3/object.jpg",
		"DOC-EXAMPLE-BUCKET/1/2/3/test/4/object.jpg",
		"DOC-EXAMPLE-BUCKET/1///test///object.jpg",
		"DOC-EXAMPLE-BUCKET/1/test/.jpg",
		"DOC-EXAMPLE-BUCKET//test/object.jpg",
		"DOC-EXAMPLE-BUCKET/1/test/",
	} {
		if res := decide(Set{Identity: []*Policy{p}}, req(t, userAlice, "s3:GetObject", "arn:aws:s3:::"+obj)); res.Decision != Allowed {
			t.Errorf("%s: got %v, want Allow", obj, res.Decision)
		}
	}
	for _, obj := range []string{
		"DOC-EXAMPLE-BUCKET/1-test/object.jpg",
		"DOC-EXAMPLE-BUCKET/test/object.jpg",
		"DOC-EXAMPLE-BUCKET/1/2/test.jpg",
	} {
		if res := decide(Set{Identity: []*Policy{p}}, req(t, userAlice, "s3:GetObject", "arn:aws:s3:::"+obj)); res.Decision != ImplicitDeny {
			t.Errorf("%s: got %v, want ImplicitDeny", obj, res.Decision)
		}
	}
	// Wildcards stay inside their segment, and matching is case-sensitive.
	seg := pol(t, TypeIdentity, "segments", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":["arn:aws:sqs:us-*:111122223333:orders-?","arn:aws:iam::111122223333:user/accounting/*"]}}`)
	cases := []struct {
		action, resource string
		want             Decision
	}{
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:orders-1", Allowed},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:orders-12", ImplicitDeny},
		{"sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:orders-1", ImplicitDeny},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:444455556666:orders-1", ImplicitDeny},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:Orders-1", ImplicitDeny},
		{"SQS:sendmessage", "arn:aws:sqs:us-east-1:111122223333:orders-1", Allowed},
	}
	for _, c := range cases {
		if res := decide(Set{Identity: []*Policy{seg}}, req(t, userAlice, c.action, c.resource)); res.Decision != c.want {
			t.Errorf("%s %s: got %v, want %v", c.action, c.resource, res.Decision, c.want)
		}
	}
}

// reference_policies_elements_action.md: action names are
// case-insensitive; wildcards in the name.
func TestActionMatching(t *testing.T) {
	p := pol(t, TypeIdentity, "actions", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:ListAccessKeys","iam:*AccessKey*","ec2:Describe*","s3:Get?bject"],"Resource":"*"}}`)
	cases := []struct {
		action string
		want   Decision
	}{
		{"iam:ListAccessKeys", Allowed},
		{"IAM:listaccesskeys", Allowed},
		{"iam:CreateAccessKey", Allowed},
		{"iam:UpdateAccessKey", Allowed},
		{"iam:DeleteAccessKey", Allowed},
		{"iam:CreateUser", ImplicitDeny},
		{"ec2:DescribeInstances", Allowed},
		{"EC2:describeVPCs", Allowed},
		{"ec2:RunInstances", ImplicitDeny},
		{"s3:GetObject", Allowed},
		{"s3:GetObjectAcl", ImplicitDeny},
		{"sqs:ListQueues", ImplicitDeny},
	}
	for _, c := range cases {
		if res := decide(Set{Identity: []*Policy{p}}, req(t, userAlice, c.action, "*")); res.Decision != c.want {
			t.Errorf("%s: got %v, want %v", c.action, res.Decision, c.want)
		}
	}
}
