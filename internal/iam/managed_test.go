package iam

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/rolecall/rolecall/catalog"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store/memory"
)

const policyTestAccount = "123456789012"

func newPolicyTestService(t *testing.T) (*Service, Caller) {
	t.Helper()
	s := New(memory.New())
	if _, err := s.EnsureAccount(context.Background(), policyTestAccount); err != nil {
		t.Fatal(err)
	}
	return s, Caller{Account: policyTestAccount, ARN: "arn:aws:iam::" + policyTestAccount + ":root"}
}

const testPolicyDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`

// Every AWS managed policy's ARN parses and names that policy, and the
// derived IDs are well formed and distinct.
func TestCatalogPolicyARNs(t *testing.T) {
	s, _ := newPolicyTestService(t)
	ids := map[string]string{}
	for _, mp := range catalog.ManagedPolicies() {
		ref, err := parsePolicyARN(mp.ARN)
		if err != nil {
			t.Fatalf("%s: %v", mp.ARN, err)
		}
		got, ok := s.lookupAWSPolicy(ref)
		if !ok || got.Name != mp.Name {
			t.Fatalf("%s: lookup %v %v", mp.ARN, got.Name, ok)
		}
		id := awsPolicyID(mp.Name)
		if len(id) != 21 || !strings.HasPrefix(id, "ANPA") || strings.Trim(id[4:], idAlphabet) != "" {
			t.Fatalf("%s: ID %q", mp.Name, id)
		}
		if other, dup := ids[id]; dup {
			t.Fatalf("%s and %s share ID %s", mp.Name, other, id)
		}
		ids[id] = mp.Name
	}
	// Stable across installations and releases: clients may store it.
	if got := awsPolicyID("ReadOnlyAccess"); got != "ANPA7ZVPK4P4RKVS4QCHA" {
		t.Fatalf("ReadOnlyAccess's ID changed to %s", got)
	}
}

func TestParsePolicyARN(t *testing.T) {
	for _, c := range []struct {
		arn, code, path, name string
	}{
		{"arn:aws:iam::123456789012:policy/p", "", "/", "p"},
		{"arn:aws:iam::123456789012:policy/a/b/p", "", "/a/b/", "p"},
		{"arn:aws:iam::aws:policy/service-role/X", "", "/service-role/", "X"},
		{"longpolicynamebutnoarn", "ValidationError", "", ""},
		{"arn:aws:iam", "ValidationError", "", ""},
		{"arn:aws:iam::123456789012:not_a_policy/invalid", "InvalidInput", "", ""},
		{"arn:aws:iam::123456789012:role/r", "InvalidInput", "", ""},
		{"arn:aws:s3:::bucket", "InvalidInput", "", ""},
		{"arn:aws:iam:us-east-1:123456789012:policy/p", "InvalidInput", "", ""},
		{"arn:aws:iam::12345:policy/p", "InvalidInput", "", ""},
		{"arn:aws:iam::123456789012:policy/", "InvalidInput", "", ""},
		{"arn:aws:iam::123456789012:policy/a//p", "", "/a//", "p"},
	} {
		ref, err := parsePolicyARN(c.arn)
		if c.code != "" {
			e, ok := awserr.As(err)
			if !ok || e.Code != c.code || e.Message != "ARN "+c.arn+" is not valid." {
				t.Errorf("%s: %v, want %s", c.arn, err, c.code)
			}
			continue
		}
		if err != nil || ref.Path != c.path || ref.Name != c.name {
			t.Errorf("%s: %+v %v", c.arn, ref, err)
		}
	}
}

func TestPolicySize(t *testing.T) {
	for doc, want := range map[string]int{
		`{}`:                      2,
		"{ \n\t\r}":               2,
		`{"a": "b c"}`:            10,
		"{\"caf\u00e9\":\"x\"}":   12,
		strings.Repeat(" ", 1000): 0,
	} {
		if got := policySize(doc); got != want {
			t.Errorf("policySize(%q) = %d, want %d", doc, got, want)
		}
	}
}

// A failed attachment changes nothing, and concurrent attachments keep the
// count exact.
func TestAttachmentCountsStayExact(t *testing.T) {
	s, c := newPolicyTestService(t)
	ctx := context.Background()
	p, err := s.CreatePolicy(ctx, c, CreatePolicyInput{PolicyName: "counted", PolicyDocument: testPolicyDoc})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for i := range n {
		if _, err := s.CreateRole(ctx, c, CreateRoleInput{RoleName: "r" + string(rune('a'+i)), AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			role := "r" + string(rune('a'+i))
			for range 3 { // repeats are no-ops
				if err := s.AttachPolicy(ctx, c, HolderRole, role, p.ARN); err != nil {
					t.Error(err)
				}
			}
			if err := s.AttachPolicy(ctx, c, HolderRole, role, "arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := s.GetPolicy(ctx, c, p.ARN)
	if err != nil || got.AttachmentCount != n {
		t.Fatalf("count %+v %v", got, err)
	}
	ro, err := s.GetPolicy(ctx, c, "arn:aws:iam::aws:policy/ReadOnlyAccess")
	if err != nil || ro.AttachmentCount != n {
		t.Fatalf("ReadOnlyAccess count %+v %v", ro, err)
	}
	// Attaching a missing policy to a role fails and leaves the role as it
	// was; attaching to a missing role leaves the policy as it was.
	err = s.AttachPolicy(ctx, c, HolderRole, "ra", "arn:aws:iam::"+policyTestAccount+":policy/missing")
	if e, ok := awserr.As(err); !ok || e.Code != "NoSuchEntity" {
		t.Fatalf("missing policy: %v", err)
	}
	err = s.AttachPolicy(ctx, c, HolderRole, "nobody", p.ARN)
	if e, ok := awserr.As(err); !ok || e.Code != "NoSuchEntity" {
		t.Fatalf("missing role: %v", err)
	}
	attached, _, err := s.ListAttachedPolicies(ctx, c, HolderRole, "ra", "", Page{})
	if err != nil || len(attached) != 2 {
		t.Fatalf("attached %v %v", attached, err)
	}
	got, _ = s.GetPolicy(ctx, c, p.ARN)
	if got.AttachmentCount != n {
		t.Fatalf("count after failures %d", got.AttachmentCount)
	}
	for i := range n {
		if err := s.DetachPolicy(ctx, c, HolderRole, "r"+string(rune('a'+i)), p.ARN); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = s.GetPolicy(ctx, c, p.ARN)
	if got.AttachmentCount != 0 {
		t.Fatalf("count after detaching all %d", got.AttachmentCount)
	}
	if err := s.DeletePolicy(ctx, c, p.ARN); err != nil {
		t.Fatal(err)
	}
}
