package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidateExitCodes(t *testing.T) {
	good := writeFile(t, "good.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecs:RunTask","Resource":"*"}}`)
	if code, out, _ := run(t, "", "policy", "validate", good); code != 0 || !strings.Contains(out, "valid identity policy") {
		t.Fatalf("good: %d %s", code, out)
	}
	code, out, _ := run(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecs:RunTask"}}`, "policy", "validate", "--json", "-")
	if code != 1 {
		t.Fatalf("missing resource: exit %d", code)
	}
	var r struct {
		Valid    bool
		Findings []struct {
			FindingType, Message, Path string
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err, out)
	}
	if r.Valid || len(r.Findings) == 0 || !strings.HasPrefix(r.Findings[0].Message, "Policy statement must contain resources.") {
		t.Fatalf("got %+v", r)
	}
	if code, _, errOut := run(t, "", "policy", "validate", "--type", "nonsense", good); code != 2 || !strings.Contains(errOut, "unknown --type") {
		t.Fatalf("bad type: %d %s", code, errOut)
	}
	if code, _, _ := run(t, "", "policy", "validate", "/does/not/exist"); code != 2 {
		t.Fatalf("missing file: exit %d", code)
	}
}

func TestEvalOneAndExpect(t *testing.T) {
	pol := writeFile(t, "p.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}}`)
	args := []string{"policy", "eval", "--policy", pol, "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject"}
	if code, out, errOut := run(t, "", append(args, "--resource", "arn:aws:s3:::b/alice/x", "--expect", "allow")...); code != 0 || !strings.HasPrefix(out, "Allow") {
		t.Fatalf("own prefix: %d %q %q", code, out, errOut)
	}
	code, out, _ := run(t, "", append(args, "--resource", "arn:aws:s3:::b/bob/x", "--expect", "allow")...)
	if code != 1 || !strings.Contains(out, "because no identity-based policy allows the s3:GetObject action") {
		t.Fatalf("other prefix: %d %q", code, out)
	}
	if code, _, errOut := run(t, "", "policy", "eval", "--principal", "arn:aws:iam::1:user/x"); code != 2 || !strings.Contains(errOut, "required") {
		t.Fatalf("missing action: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "", "policy", "eval", "--policy", "arn:aws:iam::aws:policy/NoSuchPolicy", "--principal", "arn:aws:iam::111122223333:user/x", "--action", "s3:GetObject"); code != 2 || !strings.Contains(errOut, "NoSuchPolicy") {
		t.Fatalf("unknown managed policy: %d %s", code, errOut)
	}
}

func TestEvalCasesKeepsOrderAndSurvivesBadLines(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","identityPolicies":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ecs:*","Resource":"*"}}],"principal":"arn:aws:iam::111122223333:role/app","action":"ecs:RunTask","resource":"*"}`,
		`{"id":"b","identityPolicies":["{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"ecs:*\",\"Resource\":\"*\"}}"],"principal":"arn:aws:iam::111122223333:role/app","action":"ecs:RunTask"}`,
		`{"id":"c","principal":"arn:aws:iam::111122223333:role/app"}`,
		`{"id":"d","unknownField":1,"principal":"x","action":"y"}`,
		`{"id":"e","identityPolicies":[{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}}}],"principal":"arn:aws:iam::111122223333:user/u","action":"s3:ListBucket","resource":"arn:aws:s3:::b","context":{"s3:max-keys":5,"aws:TagKeys":["a",true]}}`,
		``,
		`{"id":"f","scpLevels":[[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}],[]],"principal":"arn:aws:iam::111122223333:root","action":"ecs:RunTask"}`,
	}, "\n")
	code, out, _ := run(t, in, "policy", "eval", "--cases", "-")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []struct{ id, decision, errPart string }{
		{"a", "Allow", ""}, {"b", "ExplicitDeny", ""}, {"c", "", "required"}, {"d", "", "unknown field"}, {"e", "Allow", ""}, {"f", "ImplicitDeny", ""},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines: %s", len(lines), out)
	}
	for i, w := range want {
		var got map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatal(err)
		}
		if got["id"] != w.id {
			t.Errorf("line %d id %v, want %s", i, got["id"], w.id)
		}
		if w.errPart != "" {
			if e, _ := got["error"].(string); !strings.Contains(e, w.errPart) {
				t.Errorf("line %d: error %q, want %q", i, e, w.errPart)
			}
			continue
		}
		if got["decision"] != w.decision {
			t.Errorf("line %d: %v", i, got)
		}
	}
}
