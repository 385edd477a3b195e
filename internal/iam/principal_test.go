package iam

import (
	"context"
	"testing"
)

// The tags RolePolicies and UserPolicies answer are the caller's to change
// (authorization merges session tags into them): changing them must not
// reach the records that later requests read.
func TestPrincipalPoliciesTagsAreCopies(t *testing.T) {
	ctx := context.Background()
	s, c := newPolicyTestService(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := s.CreateRole(ctx, c, CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trust, Tags: []Tag{{Key: "team", Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, c, CreateUserInput{UserName: "u", Tags: []Tag{{Key: "team", Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	load := map[string]func() (*PrincipalPolicies, error){
		"role": func() (*PrincipalPolicies, error) { return s.RolePolicies(ctx, c.Account, "r") },
		"user": func() (*PrincipalPolicies, error) { return s.UserPolicies(ctx, c.Account, "u") },
	}
	for kind, f := range load {
		pp, err := f()
		if err != nil {
			t.Fatal(kind, err)
		}
		pp.Tags[0].Value = "session"
		pp, err = f()
		if err != nil {
			t.Fatal(kind, err)
		}
		if got := pp.Tags[0].Value; got != "a" {
			t.Errorf("%s: tag after a caller changed an earlier answer = %q, want a", kind, got)
		}
	}
}

// ManagedPolicyDocument answers the default version as it is now, also
// after the policy record it read before has changed.
func TestManagedPolicyDocumentFollowsDefaultVersion(t *testing.T) {
	ctx := context.Background()
	s, c := newPolicyTestService(t)
	p, err := s.CreatePolicy(ctx, c, CreatePolicyInput{PolicyName: "p", PolicyDocument: testPolicyDoc})
	if err != nil {
		t.Fatal(err)
	}
	doc, ok, err := s.ManagedPolicyDocument(ctx, c.Account, p.ARN)
	if err != nil || !ok || doc.Document != testPolicyDoc || doc.Name != "p" {
		t.Fatalf("v1: %+v %v %v", doc, ok, err)
	}
	v2 := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	if _, err := s.CreatePolicyVersion(ctx, c, p.ARN, v2, true); err != nil {
		t.Fatal(err)
	}
	doc, ok, err = s.ManagedPolicyDocument(ctx, c.Account, p.ARN)
	if err != nil || !ok || doc.Document != v2 {
		t.Fatalf("v2: %+v %v %v", doc, ok, err)
	}
	if err := s.SetDefaultPolicyVersion(ctx, c, p.ARN, "v1"); err != nil {
		t.Fatal(err)
	}
	if doc, _, _ = s.ManagedPolicyDocument(ctx, c.Account, p.ARN); doc.Document != testPolicyDoc {
		t.Fatalf("back to v1: %+v", doc)
	}
	if _, ok, err := s.ManagedPolicyDocument(ctx, c.Account, p.ARN+"x"); ok || err != nil {
		t.Fatalf("unknown policy: %v %v", ok, err)
	}
}
