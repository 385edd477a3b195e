package api

import (
	"slices"
	"testing"

	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/policy"
)

// An IAM call's tag keys: the request's tags as aws:RequestTag/*, its tag
// keys as aws:TagKeys, the entity's tags as aws:ResourceTag/* and
// iam:ResourceTag/*, next to the IAM-only keys.
func TestIAMConditionKeys(t *testing.T) {
	k := &iamKeys{}
	k.fromEntity([]iam.Tag{{Key: "team", Value: "a"}}, "arn:aws:iam::123456789012:policy/stored")
	k.fromRequest(&Query{Action: "AttachRolePolicy", Params: map[string][]string{
		"Tags.member.1.Key": {"env"}, "Tags.member.1.Value": {"dev"},
		"TagKeys.member.1": {"old"},
		"PolicyArn":        {"arn:aws:iam::aws:policy/P"},
	}})
	ctx := policy.NewContext()
	k.set(ctx)
	for key, want := range map[string][]string{
		"aws:RequestTag/env":      {"dev"},
		"aws:TagKeys":             {"env", "old"},
		"aws:ResourceTag/team":    {"a"},
		"iam:ResourceTag/team":    {"a"},
		"iam:PermissionsBoundary": {"arn:aws:iam::123456789012:policy/stored"},
		"iam:PolicyARN":           {"arn:aws:iam::aws:policy/P"},
	} {
		if got, ok := ctx.Get(key); !ok || !slices.Equal(got, want) {
			t.Errorf("%s = %v, %v; want %v", key, got, ok, want)
		}
	}
	for _, key := range []string{"iam:AWSServiceName", "ecs:ResourceTag/team", "aws:RequestTag/team"} {
		if got, ok := ctx.Get(key); ok {
			t.Errorf("%s = %v; want absent", key, got)
		}
	}

	// A boundary in the request wins over the entity's.
	k = &iamKeys{}
	k.fromEntity(nil, "arn:stored")
	k.fromRequest(&Query{Action: "PutRolePermissionsBoundary", Params: map[string][]string{"PermissionsBoundary": {"arn:new"}}})
	ctx = policy.NewContext()
	k.set(ctx)
	if got, _ := ctx.Get("iam:PermissionsBoundary"); !slices.Equal(got, []string{"arn:new"}) {
		t.Errorf("iam:PermissionsBoundary = %v", got)
	}
	if _, ok := ctx.Get("aws:TagKeys"); ok {
		t.Error("aws:TagKeys set without tag keys")
	}
}

// setTagKeys serves ECS's tags alike, under ecs:ResourceTag/*.
func TestSetTagKeysECS(t *testing.T) {
	ctx := policy.NewContext()
	setTagKeys(ctx, "ecs", []ecs.Tag{{Key: "env", Value: "dev"}}, []string{"env"}, []ecs.Tag{{Key: "team", Value: "a"}})
	for key, want := range map[string]string{"aws:RequestTag/env": "dev", "aws:TagKeys": "env", "aws:ResourceTag/team": "a", "ecs:ResourceTag/team": "a"} {
		if got, ok := ctx.Get(key); !ok || !slices.Equal(got, []string{want}) {
			t.Errorf("%s = %v, %v; want %s", key, got, ok, want)
		}
	}
	if _, ok := ctx.Get("iam:ResourceTag/team"); ok {
		t.Error("iam:ResourceTag/team set for ECS")
	}
}
