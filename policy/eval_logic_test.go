package policy

import (
	"testing"
	"time"
)

// in sets the account that owns the request's resource (S3 ARNs carry none).
func in(r Request, acct string) Request {
	r.ResourceAccount = acct
	return r
}

func allowDoc(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}}`
}

func denyDoc(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

// grantDoc is a resource policy granting principal (a JSON value) action on
// resource.
func grantDoc(principal, action, resource string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `","Resource":"` + resource + `"}}`
}

func trustDoc(principal string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}}`
}

// reference_policies_evaluation-logic.md, access_policies_boundaries.md,
// reference_policies_evaluation-logic-cross-account.md and
// reference_policies_elements_principal.md.
func TestEvaluationLogic(t *testing.T) {
	const bucketA = "arn:aws:s3:::bucket-a/key"
	const bucketB = "arn:aws:s3:::bucket-b/key"
	P := func(name, doc string, typ Type) *Policy { return pol(t, typ, name, doc) }

	idS3 := P("id-s3", allowDoc("s3:*", "*"), TypeIdentity)
	idAll := P("id-all", allowAllDoc, TypeIdentity)
	idDenyPut := P("id-deny-put", denyDoc("s3:PutObject", "*"), TypeIdentity)
	idSQS := P("id-sqs", allowDoc("sqs:*", "*"), TypeIdentity)
	bGet := P("pb-get", allowDoc("s3:GetObject", "*"), TypeBoundary)
	bEC2 := P("pb-ec2", allowDoc("ec2:*", "*"), TypeBoundary)
	bAll := P("pb-all", allowAllDoc, TypeBoundary)
	bDenyGet := P("pb-deny-get", denyDoc("s3:GetObject", "*"), TypeBoundary)
	sGet := P("sp-get", allowDoc("s3:GetObject", "*"), TypeSession)
	sPut := P("sp-put", allowDoc("s3:PutObject", "*"), TypeSession)
	sEC2 := P("sp-ec2", allowDoc("ec2:*", "*"), TypeSession)
	sDeny := P("sp-deny", denyDoc("s3:GetObject", "*"), TypeSession)
	sAll := P("sp-all", allowAllDoc, TypeSession)
	rpAlice := P("rp-alice", grantDoc(`{"AWS":"`+userAlice+`"}`, "s3:*", "arn:aws:s3:::bucket-a/*"), TypeResource)
	rpRole := P("rp-role", grantDoc(`{"AWS":"`+roleDev+`"}`, "s3:*", "arn:aws:s3:::bucket-a/*"), TypeResource)
	rpSession := P("rp-session", grantDoc(`{"AWS":"`+sessionDev+`"}`, "s3:*", "arn:aws:s3:::bucket-a/*"), TypeResource)
	rpFed := P("rp-fed", grantDoc(`{"AWS":"`+fedBob+`"}`, "s3:*", "arn:aws:s3:::bucket-a/*"), TypeResource)
	rpAcctA := P("rp-acct", grantDoc(`{"AWS":"`+acctA+`"}`, "s3:*", "arn:aws:s3:::bucket-a/*"), TypeResource)
	rpRootA := P("rp-root", grantDoc(`{"AWS":"`+rootA+`"}`, "s3:*", "arn:aws:s3:::bucket-a/*"), TypeResource)
	rpStar := P("rp-star", grantDoc(`"*"`, "s3:GetObject", "arn:aws:s3:::bucket-a/*"), TypeResource)
	rpStarAWS := P("rp-star-aws", grantDoc(`{"AWS":"*"}`, "s3:GetObject", "arn:aws:s3:::bucket-a/*"), TypeResource)
	rpDenyAll := P("rp-deny", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bucket-a/*"}}`, TypeResource)
	rpService := P("rp-cloudtrail", grantDoc(`{"Service":"cloudtrail.amazonaws.com"}`, "s3:PutObject", "arn:aws:s3:::bucket-a/*"), TypeResource)
	// Bucket in account B granting principals of account A.
	rpBAlice := P("rpB-alice", grantDoc(`{"AWS":"`+userAlice+`"}`, "s3:*", "arn:aws:s3:::bucket-b/*"), TypeResource)
	rpBAcctA := P("rpB-acctA", grantDoc(`{"AWS":"`+acctA+`"}`, "s3:*", "arn:aws:s3:::bucket-b/*"), TypeResource)
	rpBRole := P("rpB-role", grantDoc(`{"AWS":"`+roleDev+`"}`, "s3:*", "arn:aws:s3:::bucket-b/*"), TypeResource)
	rpBSession := P("rpB-session", grantDoc(`{"AWS":"`+sessionDev+`"}`, "s3:*", "arn:aws:s3:::bucket-b/*"), TypeResource)
	rpBStar := P("rpB-star", grantDoc(`"*"`, "s3:*", "arn:aws:s3:::bucket-b/*"), TypeResource)
	rpBDeny := P("rpB-deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+acctA+`"},"Action":"s3:*","Resource":"arn:aws:s3:::bucket-b/*"},{"Effect":"Deny","Principal":{"AWS":"`+userAlice+`"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::bucket-b/*"}]}`, TypeResource)
	qB := P("queueB", grantDoc(`{"AWS":"`+userAlice+`"}`, "sqs:SendMessage", queueB), TypeResource)

	get := func(caller, resource, acct string, kv ...string) Request {
		return in(req(t, caller, "s3:GetObject", resource, kv...), acct)
	}
	put := func(caller, resource, acct string) Request { return in(req(t, caller, "s3:PutObject", resource), acct) }
	ids := func(ps ...*Policy) []*Policy { return ps }

	runEval(t, []evalCase{
		// --- Default deny, explicit deny wins everywhere.
		{"no policies", Set{}, get(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"identity allows", Set{Identity: ids(idS3)}, get(userAlice, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"identity deny beats identity allow", Set{Identity: ids(idS3, idDenyPut)}, put(userAlice, bucketA, acctA), ExplicitDeny, ReasonDenyIdentity},
		{"identity deny beats a direct resource grant", Set{Identity: ids(idDenyPut), Resource: rpAlice}, put(userAlice, bucketA, acctA), ExplicitDeny, ReasonDenyIdentity},
		{"resource deny beats identity allow", Set{Identity: ids(idAll), Resource: rpDenyAll}, get(userAlice, bucketA, acctA), ExplicitDeny, ReasonDenyResource},
		{"resource deny applies to root", Set{Resource: rpDenyAll}, get(rootA, bucketA, acctA), ExplicitDeny, ReasonDenyResource},
		{"boundary deny beats identity allow", Set{Identity: ids(idAll), Boundary: bDenyGet}, get(userAlice, bucketA, acctA), ExplicitDeny, ReasonDenyBoundary},
		{"boundary deny beats a direct resource grant", Set{Resource: rpAlice, Boundary: bDenyGet}, get(userAlice, bucketA, acctA), ExplicitDeny, ReasonDenyBoundary},
		{"session deny beats a grant to the session", Set{Resource: rpSession, Session: ids(sDeny)}, get(sessionDev, bucketA, acctA), ExplicitDeny, ReasonDenySession},
		{"session deny beats identity allow", Set{Identity: ids(idAll), Session: ids(sDeny)}, get(sessionDev, bucketA, acctA), ExplicitDeny, ReasonDenySession},

		// --- Identity and resource policies in one account: either allows.
		{"resource grant to the user alone", Set{Resource: rpAlice}, get(userAlice, bucketA, acctA), Allowed, ReasonResourceAllows},
		{"resource grant to another user", Set{Resource: rpAlice}, get(userBob, bucketA, acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"resource grant for another action", Set{Resource: rpStar}, put(userBob, bucketA, acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"both allow", Set{Identity: ids(idS3), Resource: rpAlice}, get(userAlice, bucketA, acctA), Allowed, ReasonResourceAllows},
		{"identity allows, resource policy silent", Set{Identity: ids(idS3), Resource: rpStar}, put(userAlice, bucketA, acctA), Allowed, ReasonIdentityAllows},
		// Naming the account only delegates to its identity policies.
		{"account principal delegates: no identity", Set{Resource: rpAcctA}, get(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"account principal delegates: identity allows", Set{Identity: ids(idS3), Resource: rpAcctA}, get(userAlice, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"root ARN principal delegates too", Set{Resource: rpRootA}, get(sessionDev, bucketA, acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"account principal delegates: boundary applies", Set{Identity: ids(idS3), Resource: rpAcctA, Boundary: bEC2}, get(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoBoundaryAllow},
		// "All principals": within the account no other permission is needed.
		{"Principal * grants a user", Set{Resource: rpStar}, get(userBob, bucketA, acctA), Allowed, ReasonResourceAllows},
		{"Principal AWS * grants a user", Set{Resource: rpStarAWS}, get(userBob, bucketA, acctA), Allowed, ReasonResourceAllows},
		{"Principal * grants a session despite boundary and session policy", Set{Resource: rpStar, Boundary: bEC2, Session: ids(sEC2)}, get(sessionDev, bucketA, acctA), Allowed, ReasonResourceAllows},

		// --- Permissions boundaries.
		{"boundary intersects: both allow", Set{Identity: ids(idS3), Boundary: bGet}, get(userAlice, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"boundary intersects: boundary does not allow", Set{Identity: ids(idS3), Boundary: bGet}, put(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoBoundaryAllow},
		{"boundary grants nothing by itself", Set{Boundary: bAll}, get(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"boundary does not limit a grant to the user", Set{Resource: rpAlice, Boundary: bEC2}, get(userAlice, bucketA, acctA), Allowed, ReasonResourceAllows},
		{"boundary limits a grant to the role", Set{Resource: rpRole, Boundary: bEC2}, get(sessionDev, bucketA, acctA), ImplicitDeny, ReasonNoBoundaryAllow},
		{"grant to the role within the boundary", Set{Resource: rpRole, Boundary: bGet}, get(sessionDev, bucketA, acctA), Allowed, ReasonResourceAllows},
		{"grant to the role needs no identity policy", Set{Resource: rpRole}, get(sessionDev, bucketA, acctA), Allowed, ReasonResourceAllows},
		{"session policy limits a grant to the role", Set{Resource: rpRole, Boundary: bGet, Session: ids(sEC2)}, get(sessionDev, bucketA, acctA), ImplicitDeny, ReasonNoSessionAllow},
		{"grant to the role within boundary and session policy", Set{Resource: rpRole, Boundary: bGet, Session: ids(sGet)}, get(sessionDev, bucketA, acctA), Allowed, ReasonResourceAllows},
		{"grant to the session is not limited", Set{Resource: rpSession, Boundary: bEC2, Session: ids(sEC2)}, get(sessionDev, bucketA, acctA), Allowed, ReasonResourceAllows},
		{"grant to another session of the role", Set{Resource: rpSession}, get("arn:aws:sts::111122223333:assumed-role/dev/other", bucketA, acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"grant to the federated session is not limited", Set{Resource: rpFed, Session: ids(sEC2)}, get(fedBob, bucketA, acctA), Allowed, ReasonResourceAllows},
		{"SCP, boundary and identity all needed", Set{Identity: ids(idS3), Boundary: bGet, SCPs: [][]*Policy{{P("scp-s3", allowDoc("s3:*", "*"), TypeSCP)}}}, get(userAlice, bucketA, acctA), Allowed, ReasonIdentityAllows},

		// --- Session policies.
		{"session policies ignored for users", Set{Identity: ids(idS3), Session: ids(sEC2)}, get(userAlice, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"session policy intersects: both allow", Set{Identity: ids(idS3), Session: ids(sGet)}, get(sessionDev, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"session policy intersects: session does not allow", Set{Identity: ids(idS3), Session: ids(sGet)}, put(sessionDev, bucketA, acctA), ImplicitDeny, ReasonNoSessionAllow},
		{"session policy grants nothing by itself", Set{Session: ids(sAll)}, get(sessionDev, bucketA, acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"several session policies: any allows", Set{Identity: ids(idS3), Session: ids(sGet, sPut)}, put(sessionDev, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"role session without session policy", Set{Identity: ids(idS3)}, get(sessionDev, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"session, boundary and identity", Set{Identity: ids(idS3), Boundary: bAll, Session: ids(sGet)}, get(sessionDev, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"session within, boundary not", Set{Identity: ids(idS3), Boundary: bEC2, Session: ids(sGet)}, get(sessionDev, bucketA, acctA), ImplicitDeny, ReasonNoBoundaryAllow},
		// "If there is no session policy, the code checks whether the
		// principal is a role session ... Otherwise, the request is
		// implicitly denied": a federated user session needs one.
		{"federated user without session policy", Set{Identity: ids(idS3)}, get(fedBob, bucketA, acctA), ImplicitDeny, ReasonNoSessionAllow},
		{"federated user with session policy", Set{Identity: ids(idS3), Session: ids(sGet)}, get(fedBob, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"federated user, session policy does not allow", Set{Identity: ids(idS3), Session: ids(sGet)}, put(fedBob, bucketA, acctA), ImplicitDeny, ReasonNoSessionAllow},

		// --- Service control policies: every level must allow.
		{"SCP levels all allow", Set{Identity: ids(idAll), SCPs: scpLevels(t)}, get(userAlice, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"SCP account level does not allow", Set{Identity: ids(idAll), SCPs: scpLevels(t)}, put(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoSCPAllow},
		{"SCP OU level does not allow", Set{Identity: ids(idAll), SCPs: scpLevels(t)}, in(req(t, userAlice, "ec2:RunInstances", "*"), acctA), ImplicitDeny, ReasonNoSCPAllow},
		{"SCP level with only a Deny allows nothing", Set{Identity: ids(idAll), SCPs: [][]*Policy{{P("full", allowAllDoc, TypeSCP)}, {P("deny-ec2", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"ec2:*","Resource":"*"}}`, TypeSCP)}}}, get(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoSCPAllow},
		{"SCP level with FullAWSAccess and a Deny", Set{Identity: ids(idAll), SCPs: [][]*Policy{{P("full", allowAllDoc, TypeSCP), P("deny-ec2", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"ec2:*","Resource":"*"}}`, TypeSCP)}}}, get(userAlice, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"SCP deny", Set{Identity: ids(idAll), SCPs: [][]*Policy{{P("deny-get", denyDoc("s3:GetObject", "*"), TypeSCP)}}}, get(userAlice, bucketA, acctA), ExplicitDeny, ReasonDenySCP},
		{"SCP deny reported before an identity deny", Set{Identity: ids(P("id-deny-get", denyDoc("s3:GetObject", "*"), TypeIdentity)), SCPs: [][]*Policy{{P("deny-get", denyDoc("s3:GetObject", "*"), TypeSCP)}}}, get(userAlice, bucketA, acctA), ExplicitDeny, ReasonDenySCP},
		{"empty SCP level", Set{Identity: ids(idAll), SCPs: [][]*Policy{{}}}, get(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoSCPAllow},
		{"SCP grants nothing by itself", Set{SCPs: [][]*Policy{{P("full", allowAllDoc, TypeSCP)}}}, get(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"SCP limits resource grants", Set{Resource: rpAlice, SCPs: [][]*Policy{{P("ec2-only", allowDoc("ec2:*", "*"), TypeSCP)}}}, get(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoSCPAllow},
		{"SCP limits the root user", Set{SCPs: [][]*Policy{{P("ec2-only", allowDoc("ec2:*", "*"), TypeSCP)}}}, get(rootA, bucketA, acctA), ImplicitDeny, ReasonNoSCPAllow},
		{"SCPs do not apply to service principals", Set{Resource: rpService, SCPs: [][]*Policy{{P("deny-all", denyDoc("*", "*"), TypeSCP)}}}, put("cloudtrail.amazonaws.com", bucketA, acctA), Allowed, ReasonResourceAllows},
		{"SCPs do not apply to anonymous callers", Set{Resource: rpStar, SCPs: [][]*Policy{{P("ec2-only", allowDoc("ec2:*", "*"), TypeSCP)}}}, get("*", bucketA, acctA), Allowed, ReasonResourceAllows},

		// --- Resource control policies.
		{"RCP allows", Set{Identity: ids(idAll), RCPs: [][]*Policy{{P("rcp-full", allowAllDoc, TypeRCP)}}}, get(userAlice, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"RCP level does not allow", Set{Identity: ids(idAll), RCPs: [][]*Policy{{P("rcp-full", allowAllDoc, TypeRCP)}, {P("rcp-ec2", allowDoc("ec2:*", "*"), TypeRCP)}}}, get(userAlice, bucketA, acctA), ImplicitDeny, ReasonNoRCPAllow},
		{"RCP deny", Set{Identity: ids(idAll), RCPs: [][]*Policy{{P("rcp-deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-123"}}}]}`, TypeRCP)}}}, get(userAlice, bucketA, acctA), ExplicitDeny, ReasonDenyRCP},
		{"RCP deny not applying", Set{Identity: ids(idAll), RCPs: [][]*Policy{{P("rcp-deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-123"}}}]}`, TypeRCP)}}}, get(userAlice, bucketA, acctA, "aws:PrincipalOrgID", "o-123"), Allowed, ReasonIdentityAllows},

		// --- Cross-account: both the identity side and the resource side
		// must allow.
		{"cross-account both allow", Set{Identity: ids(idS3), Resource: rpBAlice}, get(userAlice, bucketB, acctB), Allowed, ReasonIdentityAllows},
		{"cross-account resource policy alone", Set{Resource: rpBAlice}, get(userAlice, bucketB, acctB), ImplicitDeny, ReasonNoIdentityAllow},
		{"cross-account identity alone", Set{Identity: ids(idS3)}, get(userAlice, bucketB, acctB), ImplicitDeny, ReasonNoResourceAllow},
		{"cross-account resource policy names someone else", Set{Identity: ids(idS3), Resource: rpBAlice}, get(userBob, bucketB, acctB), ImplicitDeny, ReasonNoResourceAllow},
		{"cross-account grant to the account", Set{Identity: ids(idS3), Resource: rpBAcctA}, get(sessionDev, bucketB, acctB), Allowed, ReasonIdentityAllows},
		{"cross-account grant to the account, no identity", Set{Resource: rpBAcctA}, get(sessionDev, bucketB, acctB), ImplicitDeny, ReasonNoIdentityAllow},
		{"cross-account grant to the role, boundary", Set{Identity: ids(idS3), Resource: rpBRole, Boundary: bEC2}, get(sessionDev, bucketB, acctB), ImplicitDeny, ReasonNoBoundaryAllow},
		{"cross-account grant to the session still needs identity", Set{Resource: rpBSession}, get(sessionDev, bucketB, acctB), ImplicitDeny, ReasonNoIdentityAllow},
		{"cross-account grant to the session, session policy", Set{Identity: ids(idS3), Resource: rpBSession, Session: ids(sEC2)}, get(sessionDev, bucketB, acctB), ImplicitDeny, ReasonNoSessionAllow},
		{"cross-account grant to the session, all allow", Set{Identity: ids(idS3), Resource: rpBSession, Session: ids(sGet)}, get(sessionDev, bucketB, acctB), Allowed, ReasonIdentityAllows},
		{"cross-account Principal * still needs identity", Set{Resource: rpBStar}, get(userAlice, bucketB, acctB), ImplicitDeny, ReasonNoIdentityAllow},
		{"cross-account Principal * with identity", Set{Identity: ids(idS3), Resource: rpBStar}, get(userAlice, bucketB, acctB), Allowed, ReasonIdentityAllows},
		{"cross-account resource deny", Set{Identity: ids(idS3), Resource: rpBDeny}, in(req(t, userAlice, "s3:DeleteObject", bucketB), acctB), ExplicitDeny, ReasonDenyResource},
		{"cross-account SCP of the caller", Set{Identity: ids(idS3), Resource: rpBAlice, SCPs: [][]*Policy{{P("ec2-only", allowDoc("ec2:*", "*"), TypeSCP)}}}, get(userAlice, bucketB, acctB), ImplicitDeny, ReasonNoSCPAllow},
		{"cross-account account from the resource ARN", Set{Identity: ids(idSQS), Resource: qB}, req(t, userAlice, "sqs:SendMessage", queueB), Allowed, ReasonIdentityAllows},
		{"cross-account account from the resource ARN, identity only", Set{Identity: ids(idSQS)}, req(t, userAlice, "sqs:SendMessage", queueB), ImplicitDeny, ReasonNoResourceAllow},
		{"same account from the resource ARN", Set{Identity: ids(idSQS)}, req(t, userAlice, "sqs:SendMessage", queueA), Allowed, ReasonIdentityAllows},

		// --- The root user has full access in its own account; across
		// accounts its side allows and the resource policy must too.
		{"root without policies", Set{}, get(rootA, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"root ignores boundaries it cannot have", Set{Resource: rpStar}, put(rootA, bucketA, acctA), Allowed, ReasonIdentityAllows},
		{"root across accounts, granted", Set{Resource: rpBAcctA}, get(rootA, bucketB, acctB), Allowed, ReasonIdentityAllows},
		{"root across accounts, not granted", Set{}, get(rootA, bucketB, acctB), ImplicitDeny, ReasonNoResourceAllow},
		{"root given as an account ID", Set{}, get(acctA, bucketA, acctA), Allowed, ReasonIdentityAllows},

		// --- Anonymous callers only get what Principal "*" grants.
		{"anonymous granted by Principal *", Set{Resource: rpStar}, get("*", bucketA, acctA), Allowed, ReasonResourceAllows},
		{"anonymous granted by AWS *", Set{Resource: rpStarAWS}, get("*", bucketA, acctA), Allowed, ReasonResourceAllows},
		{"anonymous, no resource policy", Set{}, get("*", bucketA, acctA), ImplicitDeny, ReasonNoResourceAllow},
		{"anonymous, account principal", Set{Resource: rpAcctA}, get("*", bucketA, acctA), ImplicitDeny, ReasonNoResourceAllow},
		{"anonymous, identity policies do not apply", Set{Identity: ids(idAll)}, get("*", bucketA, acctA), ImplicitDeny, ReasonNoResourceAllow},
		{"anonymous, other action", Set{Resource: rpStar}, put("*", bucketA, acctA), ImplicitDeny, ReasonNoResourceAllow},

		// --- Service principals.
		{"service named", Set{Resource: rpService}, put("cloudtrail.amazonaws.com", bucketA, acctA), Allowed, ReasonResourceAllows},
		{"service not named", Set{Resource: rpService}, put("config.amazonaws.com", bucketA, acctA), ImplicitDeny, ReasonNoResourceAllow},
		{"service, identity policies do not apply", Set{Identity: ids(idAll)}, put("cloudtrail.amazonaws.com", bucketA, acctA), ImplicitDeny, ReasonNoResourceAllow},
		{"service, resource deny", Set{Resource: rpDenyAll}, put("cloudtrail.amazonaws.com", bucketA, acctA), ExplicitDeny, ReasonDenyResource},
	})
}

// scpLevels is an organization root with FullAWSAccess, an OU allowing S3
// and an account level allowing only GetObject.
func scpLevels(t *testing.T) [][]*Policy {
	return [][]*Policy{
		{pol(t, TypeSCP, "FullAWSAccess", allowAllDoc)},
		{pol(t, TypeSCP, "ou-s3", allowDoc("s3:*", "*"))},
		{pol(t, TypeSCP, "acct-get", allowDoc("s3:GetObject", "*"))},
	}
}

// Role trust policies for sts:AssumeRole: Set.Resource is the trust policy
// (TypeTrust), Set.Identity the caller's policies, Request.Resource the role.
// reference_policies_evaluation-logic.md ("IAM role trust policies ... must
// explicitly allow access for principals"), id_roles_use_passrole.md,
// reference_policies_iam-condition-keys.md (sts:*),
// reference_policies_condition-keys.md (aws:SourceIdentity),
// id_roles_use_revoke-sessions.md.
func TestTrustPolicies(t *testing.T) {
	T := func(name, doc string) *Policy { return pol(t, TypeTrust, name, doc) }
	I := func(name, doc string) *Policy { return pol(t, TypeIdentity, name, doc) }
	const target = "arn:aws:iam::111122223333:role/target"
	const targetB = "arn:aws:iam::444455556666:role/target"

	ec2Trust := T("ec2", `{"Version":"2012-10-17","Statement":{"Sid":"TrustPolicyStatementThatAllowsEC2ServiceToAssumeTheAttachedRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`)
	aliceTrust := T("alice", trustDoc(`{"AWS":"`+userAlice+`"}`))
	devTrust := T("dev", trustDoc(`{"AWS":"`+roleDev+`"}`))
	sessionTrust := T("dev-session", trustDoc(`{"AWS":"`+sessionDev+`"}`))
	accountTrust := T("account", trustDoc(`{"AWS":"`+rootA+`"}`))
	accountIDTrust := T("account-id", trustDoc(`{"AWS":"`+acctA+`"}`))
	bobTrust := T("bob", trustDoc(`{"AWS":"`+userBob+`"}`))
	externalID := T("external-id", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"`+acctA+`"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"Unique1234"}}}}`)
	denyTrust := T("deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+acctA+`"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"`+userBob+`"},"Action":"sts:AssumeRole"}]}`)
	orgTrust := T("org", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}}`)

	assumeAny := I("assume-any", allowDoc("sts:AssumeRole", "*"))
	assumeTarget := I("assume-target", allowDoc("sts:AssumeRole", target))
	assumeOther := I("assume-other", allowDoc("sts:AssumeRole", "arn:aws:iam::111122223333:role/other"))
	noAssume := pol(t, TypeBoundary, "pb-no-sts", allowDoc("s3:*", "*"))

	assume := func(caller, role string, kv ...string) Request {
		return req(t, caller, "sts:AssumeRole", role, kv...)
	}
	ids := func(ps ...*Policy) []*Policy { return ps }
	runEval(t, []evalCase{
		{"ec2 trusted", Set{Resource: ec2Trust}, assume("ec2.amazonaws.com", target), Allowed, ReasonResourceAllows},
		{"ecs-tasks not trusted", Set{Resource: ec2Trust}, assume("ecs-tasks.amazonaws.com", target), ImplicitDeny, ReasonNoResourceAllow},
		{"trust names the user", Set{Resource: aliceTrust}, assume(userAlice, target), Allowed, ReasonResourceAllows},
		{"trust names another user", Set{Resource: aliceTrust, Identity: ids(assumeAny)}, assume(userBob, target), ImplicitDeny, ReasonNoResourceAllow},
		{"trust names the caller's role", Set{Resource: devTrust}, assume(sessionDev, target), Allowed, ReasonResourceAllows},
		{"trust names the caller's role, boundary limits", Set{Resource: devTrust, Boundary: noAssume}, assume(sessionDev, target), ImplicitDeny, ReasonNoBoundaryAllow},
		{"trust names the caller's session", Set{Resource: sessionTrust, Boundary: noAssume}, assume(sessionDev, target), Allowed, ReasonResourceAllows},
		{"trust names the account: identity must allow", Set{Resource: accountTrust}, assume(userAlice, target), ImplicitDeny, ReasonNoIdentityAllow},
		{"trust names the account: identity allows", Set{Resource: accountTrust, Identity: ids(assumeTarget)}, assume(userAlice, target), Allowed, ReasonIdentityAllows},
		{"trust names the account by ID", Set{Resource: accountIDTrust, Identity: ids(assumeAny)}, assume(sessionDev, target), Allowed, ReasonIdentityAllows},
		{"trust names the account: identity allows another role", Set{Resource: accountTrust, Identity: ids(assumeOther)}, assume(userAlice, target), ImplicitDeny, ReasonNoIdentityAllow},
		{"identity allows but trust does not name the caller", Set{Resource: bobTrust, Identity: ids(assumeAny)}, assume(userAlice, target), ImplicitDeny, ReasonNoResourceAllow},
		{"trust deny", Set{Resource: denyTrust, Identity: ids(assumeAny)}, assume(userBob, target), ExplicitDeny, ReasonDenyResource},
		{"trust deny for someone else", Set{Resource: denyTrust, Identity: ids(assumeAny)}, assume(userAlice, target), Allowed, ReasonIdentityAllows},
		// Cross-account: the trust policy and the caller's identity policy
		// must both allow.
		{"cross-account both allow", Set{Resource: T("trust-A", trustDoc(`{"AWS":"`+acctA+`"}`)), Identity: ids(assumeAny)}, assume(userAlice, targetB), Allowed, ReasonIdentityAllows},
		{"cross-account trust only", Set{Resource: T("trust-A", trustDoc(`{"AWS":"`+acctA+`"}`))}, assume(userAlice, targetB), ImplicitDeny, ReasonNoIdentityAllow},
		{"cross-account trust names the user, no identity", Set{Resource: T("trust-alice", trustDoc(`{"AWS":"`+userAlice+`"}`))}, assume(userAlice, targetB), ImplicitDeny, ReasonNoIdentityAllow},
		{"cross-account identity only", Set{Resource: T("trust-B", trustDoc(`{"AWS":"`+acctB+`"}`)), Identity: ids(assumeAny)}, assume(userAlice, targetB), ImplicitDeny, ReasonNoResourceAllow},
		{"cross-account no trust at all", Set{Identity: ids(assumeAny)}, assume(userAlice, targetB), ImplicitDeny, ReasonNoResourceAllow},
		// sts:ExternalId.
		{"external ID given", Set{Resource: externalID, Identity: ids(assumeAny)}, assume(userAlice, target, "sts:ExternalId", "Unique1234"), Allowed, ReasonIdentityAllows},
		{"external ID wrong", Set{Resource: externalID, Identity: ids(assumeAny)}, assume(userAlice, target, "sts:ExternalId", "unique1234"), ImplicitDeny, ReasonNoResourceAllow},
		{"external ID missing", Set{Resource: externalID, Identity: ids(assumeAny)}, assume(userAlice, target), ImplicitDeny, ReasonNoResourceAllow},
		{"Principal * with an org condition", Set{Resource: orgTrust, Identity: ids(assumeAny)}, assume(userCarol, target, "aws:PrincipalOrgID", "o-abc"), Allowed, ReasonIdentityAllows},
		{"Principal * with an org condition, other org", Set{Resource: orgTrust, Identity: ids(assumeAny)}, assume(userCarol, target, "aws:PrincipalOrgID", "o-xyz"), ImplicitDeny, ReasonNoResourceAllow},
	})
}

// reference_policies_condition-keys.md, aws:SourceIdentity, and
// reference_policies_iam-condition-keys.md, sts:SourceIdentity and
// sts:RoleSessionName.
func TestTrustPolicyDocExamples(t *testing.T) {
	critical := pol(t, TypeTrust, "CriticalRole-trust", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AssumeRoleIfSourceIdentity",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:role/CriticalRole"},
            "Action": [
                "sts:AssumeRole",
                "sts:SetSourceIdentity"
            ],
            "Condition": {
                "StringLike": {
                    "aws:SourceIdentity": ["Saanvi","Diego"]
                }
            }
        }
    ]
}`)
	adminUser := pol(t, TypeTrust, "AdminUser-trust", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowAdminUserAssumeRole",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:user/AdminUser"},
            "Action": [
                "sts:AssumeRole",
                "sts:SetSourceIdentity"
            ],
            "Condition": {
                "StringEquals": {"sts:SourceIdentity": "DiegoRamirez"}
            }
        }
    ]
}`)
	sessionName := pol(t, TypeTrust, "RoleTrustPolicyRequireUsernameForSessionName", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RoleTrustPolicyRequireUsernameForSessionName",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Condition": {
                "StringLike": {"sts:RoleSessionName": "${aws:username}"}
            }
        }
    ]
}`)
	assumeAny := pol(t, TypeIdentity, "assume", allowDoc("sts:*", "*"))
	const criticalRole = "arn:aws:iam::111122223333:role/CriticalRole"
	const chained = "arn:aws:sts::123456789012:assumed-role/CriticalRole/s1"
	const mateoRole = "arn:aws:iam::111122223333:role/MateoRole"
	ids := []*Policy{assumeAny}
	runEval(t, []evalCase{
		{"source identity Saanvi", Set{Resource: critical, Identity: ids}, req(t, chained, "sts:AssumeRole", criticalRole, "aws:SourceIdentity", "Saanvi"), Allowed, ReasonIdentityAllows},
		{"source identity Diego sets it", Set{Resource: critical, Identity: ids}, req(t, chained, "sts:SetSourceIdentity", criticalRole, "aws:SourceIdentity", "Diego"), Allowed, ReasonIdentityAllows},
		{"source identity someone else", Set{Resource: critical, Identity: ids}, req(t, chained, "sts:AssumeRole", criticalRole, "aws:SourceIdentity", "Mallory"), ImplicitDeny, ReasonNoResourceAllow},
		{"no source identity", Set{Resource: critical, Identity: ids}, req(t, chained, "sts:AssumeRole", criticalRole), ImplicitDeny, ReasonNoResourceAllow},
		{"cross-account needs the caller's identity policy", Set{Resource: critical}, req(t, chained, "sts:AssumeRole", criticalRole, "aws:SourceIdentity", "Saanvi"), ImplicitDeny, ReasonNoIdentityAllow},
		{"AdminUser with DiegoRamirez", Set{Resource: adminUser}, req(t, "arn:aws:iam::111122223333:user/AdminUser", "sts:SetSourceIdentity", criticalRole, "sts:SourceIdentity", "DiegoRamirez"), Allowed, ReasonResourceAllows},
		{"AdminUser with another source identity", Set{Resource: adminUser}, req(t, "arn:aws:iam::111122223333:user/AdminUser", "sts:SetSourceIdentity", criticalRole, "sts:SourceIdentity", "Mallory"), ImplicitDeny, ReasonNoResourceAllow},
		{"AdminUser assuming without a source identity", Set{Resource: adminUser}, req(t, "arn:aws:iam::111122223333:user/AdminUser", "sts:AssumeRole", criticalRole), ImplicitDeny, ReasonNoResourceAllow},
		{"session name is the user name", Set{Resource: sessionName, Identity: ids}, req(t, "arn:aws:iam::111122223333:user/matjac", "sts:AssumeRole", mateoRole, "sts:RoleSessionName", "matjac"), Allowed, ReasonIdentityAllows},
		{"session name is another name", Set{Resource: sessionName, Identity: ids}, req(t, "arn:aws:iam::111122223333:user/matjac", "sts:AssumeRole", mateoRole, "sts:RoleSessionName", "admin"), ImplicitDeny, ReasonNoResourceAllow},
		// "This policy does not allow anyone using temporary credentials to
		// assume the role because the username variable is present for only
		// IAM users."
		{"temporary credentials have no user name", Set{Resource: sessionName, Identity: ids}, req(t, sessionDev, "sts:AssumeRole", mateoRole, "sts:RoleSessionName", "alice-session"), ImplicitDeny, ReasonNoResourceAllow},
	})
}

// id_roles_use_revoke-sessions.md: AWSRevokeOlderSessions denies everything
// to sessions issued before the revocation; later sessions and long-term
// credentials are not affected.
func TestRevokeOlderSessions(t *testing.T) {
	revokedAt := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	revoke := pol(t, TypeIdentity, "AWSRevokeOlderSessions", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"`+revokedAt.Format(time.RFC3339)+`"}}}]}`)
	perms := pol(t, TypeIdentity, "role-permissions", allowAllDoc)
	set := Set{Identity: []*Policy{perms, revoke}}
	sess := func(issued time.Time) Request {
		p := who(t, sessionDev)
		return Request{Principal: p, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: NewContext().SetGlobal(GlobalKeys{Principal: p, TokenIssueTime: issued, Now: revokedAt.Add(time.Hour)})}
	}
	runEval(t, []evalCase{
		{"session issued before", set, sess(revokedAt.Add(-time.Minute)), ExplicitDeny, ReasonDenyIdentity},
		{"session issued after", set, sess(revokedAt.Add(time.Minute)), Allowed, ReasonIdentityAllows},
		{"session issued at the instant", set, sess(revokedAt), Allowed, ReasonIdentityAllows},
		{"long-term credentials", set, req(t, userAlice, "s3:GetObject", "arn:aws:s3:::b/k"), Allowed, ReasonIdentityAllows},
	})
}

// id_roles_use_passrole.md, Examples 1 and 2, and
// reference_policies_iam-condition-keys.md (iam:PassedToService,
// iam:AssociatedResourceArn).
func TestPassRole(t *testing.T) {
	xyz := pol(t, TypeIdentity, "pass-xyz", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetRole","iam:PassRole"],"Resource":"arn:aws:iam::111122223333:role/EC2-roles-for-XYZ-*"}]}`)
	rds := pol(t, TypeIdentity, "pass-rds", `{"Version":"2012-10-17","Statement":[
		{"Sid":"PolicyStatementToAllowUserToListRoles","Effect":"Allow","Action":["iam:ListRoles"],"Resource":"*"},
		{"Sid":"PolicyStatementToAllowUserToPassOneSpecificRole","Effect":"Allow","Action":["iam:PassRole"],"Resource":"arn:aws:iam::111122223333:role/RDS-Monitoring-Role"}]}`)
	toEC2 := pol(t, TypeIdentity, "pass-to-ec2", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"},"ArnLike":{"iam:AssociatedResourceARN":["arn:aws:ec2:us-east-1:111122223333:instance/*","arn:aws:ec2:us-west-1:111122223333:instance/*"]}}}}`)
	one := func(p *Policy) Set { return Set{Identity: []*Policy{p}} }
	runEval(t, []evalCase{
		{"pass an approved role", one(xyz), req(t, userAlice, "iam:PassRole", "arn:aws:iam::111122223333:role/EC2-roles-for-XYZ-web"), Allowed, ReasonIdentityAllows},
		{"get an approved role", one(xyz), req(t, userAlice, "iam:GetRole", "arn:aws:iam::111122223333:role/EC2-roles-for-XYZ-web"), Allowed, ReasonIdentityAllows},
		{"pass another role", one(xyz), req(t, userAlice, "iam:PassRole", "arn:aws:iam::111122223333:role/Admin"), ImplicitDeny, ReasonNoIdentityAllow},
		{"pass the RDS role", one(rds), req(t, userAlice, "iam:PassRole", "arn:aws:iam::111122223333:role/RDS-Monitoring-Role"), Allowed, ReasonIdentityAllows},
		{"list roles", one(rds), req(t, userAlice, "iam:ListRoles", "*"), Allowed, ReasonIdentityAllows},
		{"pass to EC2 in us-east-1", one(toEC2), req(t, userAlice, "iam:PassRole", roleDev, "iam:PassedToService", "ec2.amazonaws.com", "iam:AssociatedResourceArn", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"), Allowed, ReasonIdentityAllows},
		{"pass to EC2 in another Region", one(toEC2), req(t, userAlice, "iam:PassRole", roleDev, "iam:PassedToService", "ec2.amazonaws.com", "iam:AssociatedResourceArn", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"), ImplicitDeny, ReasonNoIdentityAllow},
		{"pass to another service", one(toEC2), req(t, userAlice, "iam:PassRole", roleDev, "iam:PassedToService", "lambda.amazonaws.com", "iam:AssociatedResourceArn", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"), ImplicitDeny, ReasonNoIdentityAllow},
	})
}

// A role named with its path in a Principal element matches sessions of the
// role, whose ARN carries no path (reference_policies_elements_principal.md,
// "IAM role principals" and "Role session principals").
func TestRolePrincipalWithPath(t *testing.T) {
	rp := pol(t, TypeResource, "rp", grantDoc(`{"AWS":"arn:aws:iam::111122223333:role/teams/dev"}`, "s3:GetObject", "arn:aws:s3:::b/*"))
	trust := pol(t, TypeTrust, "trust", trustDoc(`{"AWS":"arn:aws:iam::111122223333:role/teams/dev"}`))
	runEval(t, []evalCase{
		{"session of the role", Set{Resource: rp}, in(req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k"), acctA), Allowed, ReasonResourceAllows},
		{"session of another role", Set{Resource: rp}, in(req(t, "arn:aws:sts::111122223333:assumed-role/ops/s", "s3:GetObject", "arn:aws:s3:::b/k"), acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"same role name in another account", Set{Resource: rp, Identity: []*Policy{pol(t, TypeIdentity, "all", allowAllDoc)}}, in(req(t, "arn:aws:sts::444455556666:assumed-role/dev/s", "s3:GetObject", "arn:aws:s3:::b/k"), acctA), ImplicitDeny, ReasonNoResourceAllow},
		{"role chaining through a trust policy", Set{Resource: trust}, req(t, sessionDev, "sts:AssumeRole", "arn:aws:iam::111122223333:role/target"), Allowed, ReasonResourceAllows},
	})
}

// The keys SetGlobal derives from the kind of caller
// (reference_policies_condition-keys.md: aws:PrincipalAccount,
// aws:PrincipalIsAWSService, aws:PrincipalArn, aws:PrincipalType).
func TestGlobalKeysByPrincipalKind(t *testing.T) {
	cases := []struct {
		caller string
		want   map[string]string // "" means the key must be absent
	}{
		{userAlice, map[string]string{"aws:PrincipalAccount": acctA, "aws:PrincipalIsAWSService": "false", "aws:PrincipalArn": userAlice, "aws:PrincipalType": "User", "aws:username": "alice"}},
		{sessionDev, map[string]string{"aws:PrincipalAccount": acctA, "aws:PrincipalIsAWSService": "false", "aws:PrincipalArn": roleDev, "aws:PrincipalType": "AssumedRole", "aws:username": ""}},
		{fedBob, map[string]string{"aws:PrincipalAccount": acctA, "aws:PrincipalIsAWSService": "false", "aws:PrincipalArn": fedBob, "aws:PrincipalType": "FederatedUser", "aws:username": ""}},
		{rootA, map[string]string{"aws:PrincipalAccount": acctA, "aws:PrincipalIsAWSService": "false", "aws:PrincipalArn": rootA, "aws:PrincipalType": "Account", "aws:username": ""}},
		{"cloudtrail.amazonaws.com", map[string]string{"aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": "cloudtrail.amazonaws.com", "aws:PrincipalArn": "", "aws:username": ""}},
		{"*", map[string]string{"aws:PrincipalAccount": "anonymous", "aws:PrincipalIsAWSService": "", "aws:PrincipalArn": "", "aws:PrincipalType": "Anonymous"}},
	}
	for _, c := range cases {
		ctx := ctxFor(who(t, c.caller))
		for k, want := range c.want {
			got, ok := ctx.Get(k)
			switch {
			case want == "" && ok:
				t.Errorf("%s: %s = %v, want absent", c.caller, k, got)
			case want != "" && (!ok || len(got) != 1 || got[0] != want):
				t.Errorf("%s: %s = %v, want %q", c.caller, k, got, want)
			}
		}
	}
}
