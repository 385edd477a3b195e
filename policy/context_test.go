package policy

import (
	"reflect"
	"testing"
	"time"
)

func TestSetGlobalForRoleSession(t *testing.T) {
	p, err := PrincipalFromARN("arn:aws:sts::111122223333:assumed-role/appTaskRole/3f2a")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	ctx := NewContext().SetGlobal(GlobalKeys{
		Principal:       p,
		UserID:          "AROAEXAMPLEID:3f2a",
		PrincipalTags:   map[string]string{"team": "payments"},
		SourceIP:        "10.1.2.3",
		Now:             now,
		SecureTransport: &yes,
		RequestedRegion: "us-east-1",
		TokenIssueTime:  now.Add(-time.Hour),
		RequestTags:     map[string]string{"env": "prod", "app": "web"},
		ResourceTags:    map[string]string{"owner": "ops"},
		ResourceAccount: "444455556666",
	})
	want := map[string][]string{
		"aws:PrincipalArn":      {"arn:aws:iam::111122223333:role/appTaskRole"},
		"aws:PrincipalAccount":  {"111122223333"},
		"aws:PrincipalType":     {"AssumedRole"},
		"aws:userid":            {"AROAEXAMPLEID:3f2a"},
		"aws:PrincipalTag/TEAM": {"payments"}, // keys are case-insensitive
		"aws:SourceIp":          {"10.1.2.3"},
		"aws:CurrentTime":       {"2026-11-22T10:00:00Z"},
		"aws:EpochTime":         {"1795341600"},
		"aws:SecureTransport":   {"true"},
		"aws:RequestedRegion":   {"us-east-1"},
		"aws:TokenIssueTime":    {"2026-11-22T09:00:00Z"},
		"aws:RequestTag/env":    {"prod"},
		"aws:TagKeys":           {"app", "env"},
		"aws:ResourceTag/owner": {"ops"},
		"aws:ResourceAccount":   {"444455556666"},
	}
	for k, v := range want {
		got, ok := ctx.Get(k)
		if !ok || !reflect.DeepEqual(got, v) {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	// aws:username exists only for IAM users.
	if _, ok := ctx.Get("aws:username"); ok {
		t.Error("aws:username must be absent for a role session")
	}
}

func TestSetGlobalForUserRootAndService(t *testing.T) {
	u, _ := PrincipalFromARN("arn:aws:iam::111122223333:user/division/alice")
	ctx := NewContext().SetGlobal(GlobalKeys{Principal: u})
	if v, _ := ctx.Get("aws:username"); !reflect.DeepEqual(v, []string{"alice"}) {
		t.Errorf("aws:username = %v", v)
	}
	if v, _ := ctx.Get("aws:PrincipalType"); !reflect.DeepEqual(v, []string{"User"}) {
		t.Errorf("aws:PrincipalType = %v", v)
	}
	r, _ := PrincipalFromARN("111122223333")
	if r.ARN != "arn:aws:iam::111122223333:root" {
		t.Errorf("account ID principal = %+v", r)
	}
	ctx = NewContext().SetGlobal(GlobalKeys{Principal: r})
	if v, _ := ctx.Get("aws:PrincipalType"); !reflect.DeepEqual(v, []string{"Account"}) {
		t.Errorf("root aws:PrincipalType = %v", v)
	}
	s, _ := PrincipalFromARN("ecs-tasks.amazonaws.com")
	ctx = NewContext().SetGlobal(GlobalKeys{Principal: s})
	if v, _ := ctx.Get("aws:PrincipalServiceName"); !reflect.DeepEqual(v, []string{"ecs-tasks.amazonaws.com"}) {
		t.Errorf("aws:PrincipalServiceName = %v", v)
	}
	if _, ok := ctx.Get("aws:PrincipalArn"); ok {
		t.Error("a service principal has no aws:PrincipalArn")
	}
	if _, err := PrincipalFromARN("not-a-principal"); err == nil {
		t.Error("garbage principal accepted")
	}
}

func TestDenialMessages(t *testing.T) {
	p, _ := PrincipalFromARN("arn:aws:sts::123456789012:assumed-role/R/s")
	got := DenialMessage(&p, "iam:CreateRole", "arn:aws:iam::123456789012:role/X", ReasonNoIdentityAllow)
	want := "User: arn:aws:sts::123456789012:assumed-role/R/s is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/X because no identity-based policy allows the iam:CreateRole action"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = DenialMessage(&p, "iam:CreateRole", "arn:aws:iam::123456789012:role/X", ReasonDenyBoundary)
	want = "User: arn:aws:sts::123456789012:assumed-role/R/s is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/X with an explicit deny in a permissions boundary"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
