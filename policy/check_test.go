package policy

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

type malformedCase struct {
	Case     string `json:"case"`
	Document string `json:"document"`
	Message  string `json:"message"`
}

func loadCases(t *testing.T, name string) []malformedCase {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var cs []malformedCase
	if err := json.Unmarshal(data, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestCheckMatchesAWS replays documents that real AWS rejected in
// CreatePolicy and expects IAM's exact message for each.
func TestCheckMatchesAWS(t *testing.T) {
	for _, c := range loadCases(t, "malformed_policies.json") {
		t.Run(c.Case, func(t *testing.T) {
			_, err := Check([]byte(c.Document), CheckOptions{Type: TypeIdentity, Managed: true})
			if err == nil {
				t.Fatalf("accepted; AWS said %q", c.Message)
			}
			if got := err.(*Error).Message; got != c.Message {
				t.Fatalf("message %q, AWS said %q (%v)", got, c.Message, err)
			}
		})
	}
}

func TestCheckTrustMatchesAWS(t *testing.T) {
	for _, c := range loadCases(t, "malformed_trust_policies.json") {
		t.Run(c.Case, func(t *testing.T) {
			_, err := Check([]byte(c.Document), CheckOptions{Type: TypeTrust})
			if err == nil {
				t.Fatalf("accepted; AWS said %q", c.Message)
			}
			if got := err.(*Error).Message; got != c.Message {
				t.Fatalf("message %q, AWS said %q (%v)", got, c.Message, err)
			}
		})
	}
}

func TestCheckErrorSaysWhere(t *testing.T) {
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": 5, \"Resource\": \"*\"}\n  ]\n}"
	_, err := Check([]byte(doc), CheckOptions{Type: TypeIdentity})
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("want *Error, got %v", err)
	}
	if e.Message != MsgSyntax || e.Path != "Statement[0].Action" || e.Line != 4 {
		t.Fatalf("got %+v", e)
	}
	if !strings.Contains(e.Error(), "line 4") {
		t.Fatalf("Error() should give the line: %s", e.Error())
	}
}

func TestCheckAcceptsValidDocuments(t *testing.T) {
	docs := map[Type]string{
		TypeIdentity: `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["ecs:Submit*","ec2:Describe*"],"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"${aws:PrincipalAccount}"}}}]}`,
		TypeTrust:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		TypeResource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}}`,
	}
	for typ, d := range docs {
		if _, err := Check([]byte(d), CheckOptions{Type: typ, Managed: typ == TypeIdentity}); err != nil {
			t.Errorf("%v: %v", typ, err)
		}
	}
}

func TestCheckPrincipalRules(t *testing.T) {
	cases := []struct {
		typ  Type
		doc  string
		want string
	}{
		{TypeIdentity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, MsgHasPrincipal},
		{TypeTrust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, MsgNoPrincipal},
		{TypeTrust, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/*"},"Action":"sts:AssumeRole"}}`, `Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:role/*"`},
		{TypeResource, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, MsgNoPrincipal},
	}
	for _, c := range cases {
		_, err := Check([]byte(c.doc), CheckOptions{Type: c.typ})
		if err == nil || err.(*Error).Message != c.want {
			t.Errorf("%v %s: got %v, want %q", c.typ, c.doc, err, c.want)
		}
	}
}

func TestCheckLocatesRuleErrors(t *testing.T) {
	doc := "{\"Version\": \"2012-10-17\",\n \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"},\n  {\"Effect\": \"Allow\",\n   \"Action\": [\"s3:GetObject\", \"s3:Get:Object\"], \"Resource\": \"*\"}]}"
	_, err := Check([]byte(doc), CheckOptions{Type: TypeIdentity})
	e := err.(*Error)
	if e.Message != MsgOneColon || e.Path != "Statement[1].Action[1]" || e.Line != 5 || e.Column != 31 {
		t.Fatalf("got %+v", e)
	}
	// A lone statement object and a single-string element have no index.
	_, err = Check([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:x:y","Resource":"*"}}`), CheckOptions{Type: TypeIdentity})
	if e := err.(*Error); e.Path != "Statement.Action" || e.Line != 1 {
		t.Fatalf("got %+v", e)
	}
}
