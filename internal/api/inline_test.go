package api

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

const bucketDoc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`

// inlineAPI drives the inline policy operations of one entity kind through
// the SDK, so one test body covers roles, users and groups.
type inlineAPI struct {
	kind   string // role, user, group
	put    func(entity, name, doc string) error
	get    func(entity, name string) (entityName, policyName, doc string, err error)
	list   func(entity string, maxItems int32, marker *string) (names []string, next *string, err error)
	delete func(entity, name string) error
	create func(t testing.TB, name string)
}

func inlineAPIs(ts *testServer) []inlineAPI {
	ctx := context.Background()
	return []inlineAPI{
		{
			kind: "role",
			put: func(e, n, d string) error {
				_, err := ts.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(e), PolicyName: aws.String(n), PolicyDocument: aws.String(d)})
				return err
			},
			get: func(e, n string) (string, string, string, error) {
				out, err := ts.IAM.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String(e), PolicyName: aws.String(n)})
				if err != nil {
					return "", "", "", err
				}
				return aws.ToString(out.RoleName), aws.ToString(out.PolicyName), aws.ToString(out.PolicyDocument), nil
			},
			list: func(e string, max int32, m *string) ([]string, *string, error) {
				in := &awsiam.ListRolePoliciesInput{RoleName: aws.String(e), Marker: m}
				if max > 0 {
					in.MaxItems = aws.Int32(max)
				}
				out, err := ts.IAM.ListRolePolicies(ctx, in)
				if err != nil {
					return nil, nil, err
				}
				if out.PolicyNames == nil || out.IsTruncated != (out.Marker != nil) {
					return nil, nil, fmt.Errorf("ListRolePolicies %+v", out)
				}
				return out.PolicyNames, out.Marker, nil
			},
			delete: func(e, n string) error {
				_, err := ts.IAM.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String(e), PolicyName: aws.String(n)})
				return err
			},
			create: func(t testing.TB, n string) { policyTestRole(t, ts, n, "") },
		},
		{
			kind: "user",
			put: func(e, n, d string) error {
				_, err := ts.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(e), PolicyName: aws.String(n), PolicyDocument: aws.String(d)})
				return err
			},
			get: func(e, n string) (string, string, string, error) {
				out, err := ts.IAM.GetUserPolicy(ctx, &awsiam.GetUserPolicyInput{UserName: aws.String(e), PolicyName: aws.String(n)})
				if err != nil {
					return "", "", "", err
				}
				return aws.ToString(out.UserName), aws.ToString(out.PolicyName), aws.ToString(out.PolicyDocument), nil
			},
			list: func(e string, max int32, m *string) ([]string, *string, error) {
				in := &awsiam.ListUserPoliciesInput{UserName: aws.String(e), Marker: m}
				if max > 0 {
					in.MaxItems = aws.Int32(max)
				}
				out, err := ts.IAM.ListUserPolicies(ctx, in)
				if err != nil {
					return nil, nil, err
				}
				if out.PolicyNames == nil || out.IsTruncated != (out.Marker != nil) {
					return nil, nil, fmt.Errorf("ListUserPolicies %+v", out)
				}
				return out.PolicyNames, out.Marker, nil
			},
			delete: func(e, n string) error {
				_, err := ts.IAM.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String(e), PolicyName: aws.String(n)})
				return err
			},
			create: func(t testing.TB, n string) { policyTestUser(t, ts, n, "") },
		},
		{
			kind: "group",
			put: func(e, n, d string) error {
				_, err := ts.IAM.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String(e), PolicyName: aws.String(n), PolicyDocument: aws.String(d)})
				return err
			},
			get: func(e, n string) (string, string, string, error) {
				out, err := ts.IAM.GetGroupPolicy(ctx, &awsiam.GetGroupPolicyInput{GroupName: aws.String(e), PolicyName: aws.String(n)})
				if err != nil {
					return "", "", "", err
				}
				return aws.ToString(out.GroupName), aws.ToString(out.PolicyName), aws.ToString(out.PolicyDocument), nil
			},
			list: func(e string, max int32, m *string) ([]string, *string, error) {
				in := &awsiam.ListGroupPoliciesInput{GroupName: aws.String(e), Marker: m}
				if max > 0 {
					in.MaxItems = aws.Int32(max)
				}
				out, err := ts.IAM.ListGroupPolicies(ctx, in)
				if err != nil {
					return nil, nil, err
				}
				if out.PolicyNames == nil || out.IsTruncated != (out.Marker != nil) {
					return nil, nil, fmt.Errorf("ListGroupPolicies %+v", out)
				}
				return out.PolicyNames, out.Marker, nil
			},
			delete: func(e, n string) error {
				_, err := ts.IAM.DeleteGroupPolicy(ctx, &awsiam.DeleteGroupPolicyInput{GroupName: aws.String(e), PolicyName: aws.String(n)})
				return err
			},
			create: func(t testing.TB, n string) { policyTestGroup(t, ts, n, "") },
		},
	}
}

func TestInlinePolicyLifecycle(t *testing.T) {
	ts := newPolicyTestServer(t)
	for _, a := range inlineAPIs(ts) {
		t.Run(a.kind, func(t *testing.T) {
			entity := "Inline-" + a.kind
			a.create(t, entity)
			names := func() string {
				t.Helper()
				ns, _, err := a.list(entity, 0, nil)
				if err != nil {
					t.Fatal(err)
				}
				return strings.Join(ns, " ")
			}
			if got := names(); got != "" {
				t.Errorf("empty list %q", got)
			}
			if err := a.put(entity, "policy-b", bucketDoc); err != nil {
				t.Fatal(err)
			}
			// Any spelling of the entity's name finds it; the answer names it
			// as stored.
			gotEntity, gotName, doc, err := a.get(strings.ToUpper(entity), "policy-b")
			if err != nil {
				t.Fatal(err)
			}
			if gotEntity != entity || gotName != "policy-b" || decodeDoc(t, &doc) != bucketDoc {
				t.Errorf("get %s %s %s", gotEntity, gotName, doc)
			}
			if err := a.put(entity, "policy-a", s3ListDoc); err != nil {
				t.Fatal(err)
			}
			if got := names(); got != "policy-a policy-b" {
				t.Errorf("list %q", got)
			}
			// Paging.
			page, next, err := a.list(entity, 1, nil)
			if err != nil || len(page) != 1 || page[0] != "policy-a" || next == nil {
				t.Fatalf("page 1 %v %v %v", page, next, err)
			}
			page, next, err = a.list(entity, 1, next)
			if err != nil || len(page) != 1 || page[0] != "policy-b" || next != nil {
				t.Fatalf("page 2 %v %v %v", page, next, err)
			}
			// Put replaces.
			if err := a.put(entity, "policy-b", ec2ListDoc); err != nil {
				t.Fatal(err)
			}
			if _, _, doc, err := a.get(entity, "policy-b"); err != nil || decodeDoc(t, &doc) != ec2ListDoc {
				t.Fatalf("replaced %s %v", doc, err)
			}
			if err := a.delete(entity, "policy-b"); err != nil {
				t.Fatal(err)
			}
			if got := names(); got != "policy-a" {
				t.Errorf("after delete %q", got)
			}
			notFound := "The " + a.kind + " policy with name policy-b cannot be found."
			_, _, _, err = a.get(entity, "policy-b")
			apiError(t, err, "NoSuchEntity", notFound, 404)
			apiError(t, a.delete(entity, "policy-b"), "NoSuchEntity", notFound, 404)
			if err := a.delete(entity, "policy-a"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestInlinePolicyErrors(t *testing.T) {
	ts := newPolicyTestServer(t)
	for _, a := range inlineAPIs(ts) {
		t.Run(a.kind, func(t *testing.T) {
			entity := "errors-" + a.kind
			a.create(t, entity)
			missing := "nonexistent-" + a.kind
			noEntity := "The " + a.kind + " with name " + missing + " cannot be found."
			apiError(t, a.put(missing, "p", s3ListDoc), "NoSuchEntity", noEntity, 404)
			_, _, _, err := a.get(missing, "p")
			apiError(t, err, "NoSuchEntity", noEntity, 404)
			apiError(t, a.delete(missing, "p"), "NoSuchEntity", noEntity, 404)
			_, _, err = a.list(missing, 0, nil)
			apiError(t, err, "NoSuchEntity", noEntity, 404)
			_, _, _, err = a.get(entity, "non-existent-policy")
			apiError(t, err, "NoSuchEntity", "The "+a.kind+" policy with name non-existent-policy cannot be found.", 404)

			apiError(t, a.put(entity, "p", "not json"), "MalformedPolicyDocument", "Syntax errors in policy.", 400)
			apiError(t, a.put(entity, "p", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"bucket"}}`),
				"MalformedPolicyDocument", `Resource bucket must be in ARN format or "*".`, 400)
			apiError(t, a.put(entity, "bad/name", s3ListDoc), "ValidationError", `1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, 400)
			apiError(t, a.put(entity, strings.Repeat("p", 129), s3ListDoc), "ValidationError", "1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must have length less than or equal to 128", 400)
			apiError(t, a.put(entity, "p", `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::日本"}}`), "ValidationError",
				`1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`, 400)
			// Inline policies, unlike managed ones, may leave out Version.
			noVersion := `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`
			if err := a.put(entity, "no-version", noVersion); err != nil {
				t.Fatal(err)
			}
			ns, _, err := a.list(entity, 0, nil)
			if err != nil || strings.Join(ns, " ") != "no-version" {
				t.Fatalf("list %v %v", ns, err)
			}
		})
	}
}

// TestInlinePolicyEncoding checks that documents come back exactly as put,
// including characters XML and percent-encoding both have to escape, and
// text that is itself percent-encoded (recorded from AWS).
func TestInlinePolicyEncoding(t *testing.T) {
	ts := newPolicyTestServer(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["apigatway:PUT"],` +
		`"Resource":["arn:aws:apigateway:us-east-1::/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Faaeeieije"]},` +
		`{"Sid":"Quotes","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/<a&b> +'x'",` +
		"\n\t" + `"Condition":{"StringLike":{"s3:prefix":["café ~* \\u00e9"]}}}]}`
	for _, a := range inlineAPIs(ts) {
		t.Run(a.kind, func(t *testing.T) {
			entity := "enc-" + a.kind
			a.create(t, entity)
			if err := a.put(entity, "enc", doc); err != nil {
				t.Fatal(err)
			}
			_, _, got, err := a.get(entity, "enc")
			if err != nil {
				t.Fatal(err)
			}
			if decodeDoc(t, &got) != doc {
				t.Errorf("document\n got %s\nwant %s", decodeDoc(t, &got), doc)
			}
		})
	}
}

// TestInlinePolicySizeQuota checks the per-entity totals: 10,240 for a
// role, 2,048 for a user, 5,120 for a group, white space not counted,
// a replaced policy's old size not counted.
func TestInlinePolicySizeQuota(t *testing.T) {
	ts := newPolicyTestServer(t)
	// docOf returns a valid document of exactly n characters, not counting
	// the white space it is padded with.
	docOf := func(n int) string {
		head := `{"Version":"2012-10-17",` + "\n  " + `"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
		tail := `"}}`
		bare := len(head) - 3 + len(tail)
		return head + strings.Repeat("b", n-bare) + tail
	}
	if got := len(strings.Join(strings.Fields(docOf(1000)), "")); got != 1000 {
		t.Fatalf("docOf(1000) is %d", got)
	}
	quotas := map[string]int{"role": 10240, "user": 2048, "group": 5120}
	for _, a := range inlineAPIs(ts) {
		t.Run(a.kind, func(t *testing.T) {
			entity := "quota-" + a.kind
			a.create(t, entity)
			q := quotas[a.kind]
			half := q / 2
			if err := a.put(entity, "first", docOf(half)); err != nil {
				t.Fatal(err)
			}
			if err := a.put(entity, "second", docOf(q-half)); err != nil {
				t.Fatalf("exactly at the quota: %v", err)
			}
			want := fmt.Sprintf("Maximum policy size of %d bytes exceeded for %s %s", q, a.kind, entity)
			apiError(t, a.put(entity, "third", docOf(200)), "LimitExceeded", want, 409)
			// Replacing "second" with a document one character longer
			// overflows; one the same size does not.
			apiError(t, a.put(entity, "second", docOf(q-half+1)), "LimitExceeded", want, 409)
			if err := a.put(entity, "second", docOf(q-half)); err != nil {
				t.Fatal(err)
			}
			ns, _, err := a.list(entity, 0, nil)
			if err != nil || strings.Join(ns, " ") != "first second" {
				t.Fatalf("list %v %v", ns, err)
			}
		})
	}
}
