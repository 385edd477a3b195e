package policy

import (
	"strings"
	"testing"
)

func TestStatementSpans(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []Span
	}{
		{
			// The document of the recorded SimulatePrincipalPolicy test.
			name: "single statement",
			doc:  `{"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}`,
			want: []Span{{1, 40, 1, 112}},
		},
		{
			name: "array on several lines",
			doc:  "{\n \"Version\": \"2012-10-17\",\n \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n  {\n   \"Effect\": \"Deny\", \"Action\": \"s3:DeleteBucket\", \"Resource\": \"*\"\n  }\n ]\n}",
			want: []Span{{4, 3, 4, 56}, {5, 3, 7, 3}},
		},
		{
			// Columns count characters, not bytes.
			name: "non-ASCII",
			doc:  `{"Id":"ünïcödé","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			want: []Span{{1, 30, 1, 78}},
		},
		{name: "no statement", doc: `{"Version":"2012-10-17"}`},
		{name: "not JSON", doc: `{"Statement": [`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := StatementSpans([]byte(tc.doc))
			if len(got) != len(tc.want) {
				t.Fatalf("spans %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("span %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestConditionKeysAndRelevance(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"a","s3:prefix":"x"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
		{"Effect":"Deny","NotAction":"s3:*","Resource":"*","Condition":{"Bool":{"AWS:SecureTransport":"false"},"StringLike":{"aws:principaltag/TEAM":"*"}}},
		{"Effect":"Allow","Action":"sqs:*","NotResource":"arn:aws:sqs:*:*:private-*"}
	]}`
	p, err := CompileJSON([]byte(doc), TypeIdentity, "p")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.ConditionKeys(), ","); got != "aws:PrincipalTag/team,s3:prefix,aws:SourceIp,AWS:SecureTransport" {
		t.Errorf("ConditionKeys %s", got)
	}
	if got := strings.Join(p.StatementConditionKeys(1), ","); got != "AWS:SecureTransport,aws:principaltag/TEAM" {
		t.Errorf("StatementConditionKeys(1) %s", got)
	}
	if p.StatementConditionKeys(2) != nil || p.StatementConditionKeys(9) != nil {
		t.Error("keys for a statement without conditions or out of range")
	}
	for _, tc := range []struct {
		i                int
		action, resource string
		want             bool
	}{
		{0, "s3:GetObject", "arn:aws:s3:::b/k", true},
		{0, "S3:getobject", "arn:aws:s3:::b/k", true},
		{0, "s3:GetObject", "arn:aws:s3:::other/k", false},
		{0, "s3:PutObject", "arn:aws:s3:::b/k", false},
		{1, "ec2:RunInstances", "*", true},
		{1, "s3:GetObject", "*", false},
		{2, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:public", true},
		{2, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:private-q", false},
		{7, "s3:GetObject", "*", false},
	} {
		if got := p.StatementRelevant(tc.i, tc.action, tc.resource, nil); got != tc.want {
			t.Errorf("StatementRelevant(%d, %s, %s) = %v", tc.i, tc.action, tc.resource, got)
		}
	}
}

func TestCombine(t *testing.T) {
	a, err := CompileJSON([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`), TypeBoundary, "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := CompileJSON([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"},{"Effect":"Deny","Action":"sqs:DeleteQueue","Resource":"*"}]}`), TypeBoundary, "b")
	if err != nil {
		t.Fatal(err)
	}
	id, err := CompileJSON([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), TypeIdentity, "id")
	if err != nil {
		t.Fatal(err)
	}
	c := Combine("both", TypeBoundary, a, nil, b)
	if c.Statements() != 3 {
		t.Fatalf("%d statements", c.Statements())
	}
	ev := NewEvaluator(Set{Identity: []*Policy{id}, Boundary: c})
	p, _ := PrincipalFromARN("arn:aws:iam::123456789012:user/u")
	var res Result
	for action, want := range map[string]Decision{"s3:GetObject": Allowed, "sqs:SendMessage": Allowed, "sqs:DeleteQueue": ExplicitDeny, "ec2:RunInstances": ImplicitDeny} {
		ev.Evaluate(&Request{Principal: p, Action: action, Resource: "*"}, &res)
		if res.Decision != want {
			t.Errorf("%s: %s, want %s", action, res.Decision, want)
		}
	}
	// Matches name the policy and statement each statement came from.
	ev.Evaluate(&Request{Principal: p, Action: "sqs:DeleteQueue", Resource: "*"}, &res)
	var deny *Match
	for i := range res.Matched {
		if res.Matched[i].Effect == Deny {
			deny = &res.Matched[i]
		}
	}
	if deny == nil || deny.Policy != "b" || deny.Statement != 1 || deny.PolicyType != TypeBoundary {
		t.Errorf("deny match %+v", deny)
	}
}
