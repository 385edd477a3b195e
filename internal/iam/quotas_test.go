package iam

import (
	"context"
	"fmt"
	"testing"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store/memory"
)

const quotaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func wantLimit(t *testing.T, err error, msg string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok || e.Code != "LimitExceeded" || e.Status != 409 || e.Message != msg {
		t.Fatalf("got %v, want LimitExceeded %q", err, msg)
	}
}

// The default account quotas (reference_iam-quotas.md): 1000 roles, 1000
// instance profiles. Service-linked roles count as roles.
func TestAccountQuotas(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 2000 entities")
	}
	s := New(memory.New())
	ctx := context.Background()
	c := Caller{Account: "123456789012"}
	for i := range DefaultQuotas.RolesPerAccount - 1 {
		if _, err := s.CreateRole(ctx, c, CreateRoleInput{RoleName: fmt.Sprintf("r%04d", i), AssumeRolePolicyDocument: quotaTrust}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateServiceLinkedRole(ctx, c, CreateServiceLinkedRoleInput{AWSServiceName: "ecs.amazonaws.com"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateRole(ctx, c, CreateRoleInput{RoleName: "one-too-many", AssumeRolePolicyDocument: quotaTrust})
	wantLimit(t, err, "Cannot exceed quota for RolesPerAccount: 1000")
	_, err = s.CreateServiceLinkedRole(ctx, c, CreateServiceLinkedRoleInput{AWSServiceName: "batch.amazonaws.com"})
	wantLimit(t, err, "Cannot exceed quota for RolesPerAccount: 1000")
	// The name check comes first: a taken name is still EntityAlreadyExists.
	_, err = s.CreateRole(ctx, c, CreateRoleInput{RoleName: "R0001", AssumeRolePolicyDocument: quotaTrust})
	if e, ok := awserr.As(err); !ok || e.Code != "EntityAlreadyExists" {
		t.Fatalf("duplicate at quota: %v", err)
	}
	// Other accounts have their own quota.
	if _, err := s.CreateRole(ctx, Caller{Account: "210987654321"}, CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: quotaTrust}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRole(ctx, c, "r0000"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRole(ctx, c, CreateRoleInput{RoleName: "fits-again", AssumeRolePolicyDocument: quotaTrust}); err != nil {
		t.Fatal(err)
	}

	for i := range DefaultQuotas.InstanceProfilesPerAccount {
		if _, err := s.CreateInstanceProfile(ctx, c, CreateInstanceProfileInput{InstanceProfileName: fmt.Sprintf("p%04d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.CreateInstanceProfile(ctx, c, CreateInstanceProfileInput{InstanceProfileName: "one-too-many"})
	wantLimit(t, err, "Cannot exceed quota for InstanceProfilesPerAccount: 1000")
}
