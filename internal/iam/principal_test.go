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
