package policy

import (
	"reflect"
	"sync"
	"testing"
	"time"
)

func m(name string, typ Type, stmt int, sid string, eff Effect) Match {
	return Match{Policy: name, PolicyType: typ, Statement: stmt, Sid: sid, Effect: eff}
}

// Result.Matched lists every statement that applied, in evaluation order
// (SCPs, RCPs, the resource policy, identity policies, the boundary, session
// policies), and Reason says which policy type decided.
func TestResultMatchedAndReason(t *testing.T) {
	scp := pol(t, TypeSCP, "scp", `{"Version":"2012-10-17","Statement":[{"Sid":"Full","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoEC2","Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`)
	rcp := pol(t, TypeRCP, "rcp", `{"Version":"2012-10-17","Statement":{"Sid":"RCPFull","Effect":"Allow","Action":"*","Resource":"*"}}`)
	bucket := pol(t, TypeResource, "bucket", `{"Version":"2012-10-17","Statement":[{"Sid":"Acct","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"Other","Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)
	// Statements landing in each index bucket (exact action, wildcard in
	// the service, global): Matched must keep statement order anyway.
	id := pol(t, TypeIdentity, "id", `{"Version":"2012-10-17","Statement":[
		{"Sid":"Star","Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
		{"Sid":"Exact","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
		{"Sid":"Wild","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"},
		{"Sid":"NotAct","Effect":"Allow","NotAction":"iam:*","Resource":"*"},
		{"Sid":"OtherBucket","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::c/*"},
		{"Sid":"NoMatch","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":"nobody"}}},
		{"Sid":"SvcWild","Effect":"Allow","Action":"s?:GetObject","Resource":"*"}]}`)
	boundary := pol(t, TypeBoundary, "pb", `{"Version":"2012-10-17","Statement":{"Sid":"PB","Effect":"Allow","Action":"s3:*","Resource":"*"}}`)
	session := pol(t, TypeSession, "sp", `{"Version":"2012-10-17","Statement":{"Sid":"SP","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)
	set := Set{SCPs: [][]*Policy{{scp}}, RCPs: [][]*Policy{{rcp}}, Resource: bucket, Identity: []*Policy{id}, Boundary: boundary, Session: []*Policy{session}}
	ev := NewEvaluator(set)

	var res Result
	r := in(req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k", "aws:SecureTransport", "true"), acctA)
	if d := ev.Evaluate(&r, &res); d != Allowed || res.Decision != Allowed || res.Reason != ReasonIdentityAllows {
		t.Fatalf("got %v/%v (%v)", d, res.Decision, res.Reason)
	}
	want := []Match{
		m("scp", TypeSCP, 0, "Full", Allow),
		m("rcp", TypeRCP, 0, "RCPFull", Allow),
		m("bucket", TypeResource, 0, "Acct", Allow),
		m("id", TypeIdentity, 0, "Star", Allow),
		m("id", TypeIdentity, 1, "Exact", Allow),
		m("id", TypeIdentity, 2, "Wild", Allow),
		m("id", TypeIdentity, 3, "NotAct", Allow),
		m("id", TypeIdentity, 6, "SvcWild", Allow),
		m("pb", TypeBoundary, 0, "PB", Allow),
		m("sp", TypeSession, 0, "SP", Allow),
	}
	if !reflect.DeepEqual(res.Matched, want) {
		t.Fatalf("Matched:\n got %+v\nwant %+v", res.Matched, want)
	}

	// A reused Result starts over: an SCP deny, with the allows that also
	// applied.
	r = in(req(t, sessionDev, "ec2:RunInstances", "*"), acctA)
	ev.Evaluate(&r, &res)
	if res.Decision != ExplicitDeny || res.Reason != ReasonDenySCP {
		t.Fatalf("got %v (%v)", res.Decision, res.Reason)
	}
	want = []Match{
		m("scp", TypeSCP, 0, "Full", Allow),
		m("scp", TypeSCP, 1, "NoEC2", Deny),
		m("rcp", TypeRCP, 0, "RCPFull", Allow),
		m("id", TypeIdentity, 3, "NotAct", Allow),
	}
	if !reflect.DeepEqual(res.Matched, want) {
		t.Fatalf("Matched:\n got %+v\nwant %+v", res.Matched, want)
	}
	if res.Reason.String() != "explicit deny in a service control policy" || res.Decision.String() != "ExplicitDeny" {
		t.Errorf("strings: %q %q", res.Decision, res.Reason)
	}

	// Boundary does not allow.
	r = in(req(t, sessionDev, "sqs:SendMessage", queueA), acctA)
	ev.Evaluate(&r, &res)
	if res.Decision != ImplicitDeny || res.Reason != ReasonNoBoundaryAllow {
		t.Fatalf("got %v (%v)", res.Decision, res.Reason)
	}
	want = []Match{
		m("scp", TypeSCP, 0, "Full", Allow),
		m("rcp", TypeRCP, 0, "RCPFull", Allow),
		m("id", TypeIdentity, 3, "NotAct", Allow),
	}
	if !reflect.DeepEqual(res.Matched, want) {
		t.Fatalf("Matched:\n got %+v\nwant %+v", res.Matched, want)
	}
	if res.Reason.String() != "no permissions boundary allows" || res.Decision.String() != "ImplicitDeny" {
		t.Errorf("strings: %q %q", res.Decision, res.Reason)
	}

	// Cross-account: the identity side allows, the bucket names another
	// account.
	cross := NewEvaluator(Set{Resource: bucket, Identity: []*Policy{id}})
	r = in(req(t, userCarol, "s3:GetObject", "arn:aws:s3:::b/k"), acctA)
	r.Principal = who(t, "arn:aws:iam::999999999999:user/zed")
	r.Context = ctxFor(r.Principal)
	cross.Evaluate(&r, &res)
	if res.Decision != ImplicitDeny || res.Reason != ReasonNoResourceAllow {
		t.Fatalf("got %v (%v)", res.Decision, res.Reason)
	}
	want = []Match{
		m("id", TypeIdentity, 1, "Exact", Allow),
		m("id", TypeIdentity, 2, "Wild", Allow),
		m("id", TypeIdentity, 3, "NotAct", Allow),
		m("id", TypeIdentity, 6, "SvcWild", Allow),
	}
	if !reflect.DeepEqual(res.Matched, want) {
		t.Fatalf("Matched:\n got %+v\nwant %+v", res.Matched, want)
	}
	if res.Reason.String() != "no resource-based policy allows" {
		t.Errorf("reason string %q", res.Reason)
	}

	// A user: session policies are not evaluated, so they are not listed.
	r = in(req(t, userAlice, "s3:GetObject", "arn:aws:s3:::b/k"), acctA)
	ev.Evaluate(&r, &res)
	for _, x := range res.Matched {
		if x.PolicyType == TypeSession {
			t.Errorf("session policy listed for a user: %+v", x)
		}
	}

	// A trust policy is reported as such; a service principal's identity
	// side is not evaluated.
	trust := pol(t, TypeTrust, "trust", `{"Version":"2012-10-17","Statement":{"Sid":"EC2","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`)
	tev := NewEvaluator(Set{Resource: trust, Identity: []*Policy{id}})
	r = req(t, "ec2.amazonaws.com", "sts:AssumeRole", roleDev)
	tev.Evaluate(&r, &res)
	want = []Match{m("trust", TypeTrust, 0, "EC2", Allow)}
	if res.Decision != Allowed || res.Reason != ReasonResourceAllows || !reflect.DeepEqual(res.Matched, want) {
		t.Fatalf("got %v (%v) %+v", res.Decision, res.Reason, res.Matched)
	}
	if res.Reason.String() != "allowed by a resource-based policy" {
		t.Errorf("reason string %q", res.Reason)
	}
}

// Every Reason has its text, as in AWS's AccessDenied messages.
func TestReasonStrings(t *testing.T) {
	want := map[Reason]string{
		ReasonIdentityAllows:  "allowed by an identity-based policy",
		ReasonResourceAllows:  "allowed by a resource-based policy",
		ReasonNoIdentityAllow: "no identity-based policy allows",
		ReasonNoBoundaryAllow: "no permissions boundary allows",
		ReasonNoSessionAllow:  "no session policy allows",
		ReasonNoSCPAllow:      "no service control policy allows",
		ReasonNoRCPAllow:      "no resource control policy allows",
		ReasonNoResourceAllow: "no resource-based policy allows",
		ReasonDenySCP:         "explicit deny in a service control policy",
		ReasonDenyRCP:         "explicit deny in a resource control policy",
		ReasonDenyResource:    "explicit deny in a resource-based policy",
		ReasonDenyIdentity:    "explicit deny in an identity-based policy",
		ReasonDenyBoundary:    "explicit deny in a permissions boundary",
		ReasonDenySession:     "explicit deny in a session policy",
	}
	for r, s := range want {
		if r.String() != s {
			t.Errorf("%d: %q, want %q", r, r.String(), s)
		}
	}
	if Allowed.String() != "Allow" || ImplicitDeny.String() != "ImplicitDeny" || ExplicitDeny.String() != "ExplicitDeny" {
		t.Error("Decision strings")
	}
}

// conditionHeavy builds a set whose statements exercise every condition
// family, policy variables in resources and conditions, set operators and
// every policy type.
func conditionHeavy(t testing.TB) (Set, Request) {
	id := pol(t, TypeIdentity, "heavy", `{"Version":"2012-10-17","Statement":[
		{"Sid":"Home","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::home/${aws:username}/*","arn:aws:s3:::team-${aws:PrincipalTag/team, 'none'}/*"],
		 "Condition":{
			"StringLike":{"s3:prefix":["${aws:username}/*","shared/*"],"aws:UserAgent":"*cli*"},
			"StringEqualsIgnoreCase":{"aws:PrincipalTag/team":["Blue","Green"]},
			"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]},
			"NotIpAddress":{"aws:SourceIp":"203.0.113.128/25"},
			"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},
			"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01"},
			"NumericLessThanEquals":{"s3:max-keys":"100"},
			"Bool":{"aws:SecureTransport":"true"},
			"BinaryEquals":{"k:bin":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="},
			"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"},
			"ForAllValues:StringLike":{"aws:TagKeys":["env","cost-*"]},
			"ForAnyValue:StringEquals":{"aws:CalledVia":["cloudformation.amazonaws.com"]},
			"Null":{"aws:TokenIssueTime":"true"},
			"StringNotEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"}}},
		{"Sid":"DenyOld","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2024-01-01T00:00:00Z"}}},
		{"Sid":"DenyOutside","Effect":"Deny","NotAction":["s3:*","iam:Get*"],"NotResource":"arn:aws:s3:::home/*"}]}`)
	boundary := pol(t, TypeBoundary, "pb", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"${aws:PrincipalAccount}"}}}]}`)
	scp := pol(t, TypeSCP, "scp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}}}]}`)
	rp := pol(t, TypeResource, "bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::home/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::home/*"}]}`)
	set := Set{Identity: []*Policy{id}, Boundary: boundary, Resource: rp, SCPs: [][]*Policy{{scp}, {scp}}}

	p := who(t, userAlice)
	yes := true
	ctx := NewContext().SetGlobal(GlobalKeys{
		Principal:       p,
		PrincipalTags:   map[string]string{"team": "blue"},
		SourceIP:        "203.0.113.9",
		Now:             time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		SecureTransport: &yes,
		RequestedRegion: "us-east-1",
		RequestTags:     map[string]string{"env": "prod", "cost-center": "42"},
		CalledVia:       []string{"cloudformation.amazonaws.com"},
		UserAgent:       "aws-cli/2.0",
	})
	ctx.Set("s3:prefix", "alice/docs")
	ctx.Set("s3:max-keys", "50")
	ctx.Set("k:bin", "QmluYXJ5VmFsdWVJbkJhc2U2NA==")
	r := Request{Principal: p, Action: "s3:GetObject", Resource: "arn:aws:s3:::home/alice/notes.txt", ResourceAccount: acctA, Context: ctx}
	return set, r
}

// Evaluate with a reused Result allocates nothing (doc.go), even for a
// condition-heavy policy set.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	set, r := conditionHeavy(t)
	ev := NewEvaluator(set)
	var res Result
	ev.Evaluate(&r, &res)
	if res.Decision != Allowed {
		t.Fatalf("the heavy request should be allowed: %v (%v) %+v", res.Decision, res.Reason, res.Matched)
	}
	if len(res.Matched) < 4 {
		t.Fatalf("expected the heavy statements to apply: %+v", res.Matched)
	}
	if n := testing.AllocsPerRun(200, func() { ev.Evaluate(&r, &res) }); n != 0 {
		t.Errorf("Evaluate allocated %v times per run", n)
	}
	// Denied paths too.
	denied := r
	denied.Action = "ec2:RunInstances"
	denied.Resource = "*"
	ev.Evaluate(&denied, &res)
	if res.Decision != ExplicitDeny {
		t.Fatalf("got %v (%v)", res.Decision, res.Reason)
	}
	if n := testing.AllocsPerRun(200, func() { ev.Evaluate(&denied, &res) }); n != 0 {
		t.Errorf("Evaluate (deny) allocated %v times per run", n)
	}
	other := r
	other.Resource = "arn:aws:s3:::home/bob/notes.txt"
	if n := testing.AllocsPerRun(200, func() { ev.Evaluate(&other, &res) }); n != 0 {
		t.Errorf("Evaluate (implicit deny) allocated %v times per run", n)
	}
}

// Evaluators are immutable and safe for concurrent use (doc.go).
func TestEvaluateConcurrently(t *testing.T) {
	set, r := conditionHeavy(t)
	ev := NewEvaluator(set)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var res Result
			for i := 0; i < 200; i++ {
				if ev.Evaluate(&r, &res) != Allowed {
					t.Error("decision changed under concurrency")
					return
				}
			}
		}()
	}
	wg.Wait()
}
