package arn

import (
	"errors"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/wildcard"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want ARN
	}{
		{"arn:aws:s3:::bucket", ARN{"aws", "s3", "", "", "bucket"}},
		{"arn:aws:iam::123456789012:root", ARN{"aws", "iam", "", "123456789012", "root"}},
		{"arn:aws:iam::123456789012:role/a/b/Name", ARN{"aws", "iam", "", "123456789012", "role/a/b/Name"}},
		{"arn:aws:ecs:us-east-1:123456789012:task-definition/fam:3", ARN{"aws", "ecs", "us-east-1", "123456789012", "task-definition/fam:3"}},
		{"arn:aws:logs:us-east-1:1:log-group:/aws/ecs/x:log-stream:y", ARN{"aws", "logs", "us-east-1", "1", "log-group:/aws/ecs/x:log-stream:y"}},
		{"arn:aws-cn:sts::1:assumed-role/R/S", ARN{"aws-cn", "sts", "", "1", "assumed-role/R/S"}},
		{"arn:custom:svc:r:a:res", ARN{"custom", "svc", "r", "a", "res"}},
		{"arn:aws:s3:::bucket/with spaces/and:colons::", ARN{"aws", "s3", "", "", "bucket/with spaces/and:colons::"}},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q) error: %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("Parse(%q) = %+v, want %+v", c.in, got, c.want)
		}
		if s := got.String(); s != c.in {
			t.Errorf("Parse(%q).String() = %q", c.in, s)
		}
		if !IsARN(c.in) {
			t.Errorf("IsARN(%q) = false, want true", c.in)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in, reason string
	}{
		{"", "empty string"},
		{"arn", `must start with "arn:"`},
		{"ARN:aws:s3:::bucket", `must start with "arn:"`},
		{"urn:aws:s3:::bucket", `must start with "arn:"`},
		{"arn:aws:s3::bucket", "has 5 colon-separated fields"},
		{"arn:aws:iam", "has 3 colon-separated fields"},
		{"arn::s3:::bucket", "partition is empty"},
		{"arn:aws::us-east-1:1:thing", "service is empty"},
		{"arn:aws:s3:::", "resource is empty"},
		{"arn:::::", "partition is empty"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error", c.in)
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error %T, want *ParseError", c.in, err)
			continue
		}
		if pe.Input != c.in {
			t.Errorf("ParseError.Input = %q, want %q", pe.Input, c.in)
		}
		msg := err.Error()
		if !strings.Contains(msg, c.reason) {
			t.Errorf("Parse(%q) error %q does not mention %q", c.in, msg, c.reason)
		}
		if !strings.Contains(msg, `"`+c.in+`"`) {
			t.Errorf("Parse(%q) error %q does not name the input", c.in, msg)
		}
		if IsARN(c.in) {
			t.Errorf("IsARN(%q) = true, want false", c.in)
		}
	}
}

func TestParseErrorTruncates(t *testing.T) {
	long := "arn:aws:" + strings.Repeat("é", 5000) // multi-byte runes, no 6 fields
	_, err := Parse(long)
	if err == nil {
		t.Fatal("want error")
	}
	msg := err.Error()
	if len(msg) > 400 {
		t.Errorf("error message is %d bytes, want it truncated", len(msg))
	}
	if !strings.Contains(msg, "...") || !strings.Contains(msg, "bytes)") {
		t.Errorf("truncated message should say so: %q", msg)
	}
	if strings.Contains(msg, `\x`) {
		t.Errorf("truncation split a rune: %q", msg)
	}
	var pe *ParseError
	if errors.As(err, &pe) && pe.Input != long {
		t.Error("ParseError.Input should keep the full input")
	}
}

func TestParseErrorTruncatesEscapes(t *testing.T) {
	// Control bytes quote to four characters each; the bound applies to the
	// quoted text, not the raw input.
	in := strings.Repeat("\x00", 600)
	msg := (&ParseError{Input: in, Reason: "r"}).Error()
	if len(msg) > maxErrInput+100 {
		t.Errorf("message is %d bytes: %q", len(msg), msg)
	}
	if !strings.Contains(msg, `\x00"... (600 bytes)`) {
		t.Errorf("escape split or suffix missing: %q", msg)
	}
	// Short inputs are quoted whole, with no suffix.
	if msg := (&ParseError{Input: "a\x00b", Reason: "r"}).Error(); msg != `arn: invalid ARN "a\x00b": r` {
		t.Errorf("short input: %q", msg)
	}
}

func TestMustParse(t *testing.T) {
	if got := MustParse("arn:aws:iam::1:root"); got.Resource != "root" {
		t.Errorf("MustParse = %+v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParse of invalid input did not panic")
		}
	}()
	MustParse("not an arn")
}

func TestSplit(t *testing.T) {
	parts, ok := Split("arn:aws:logs:us-east-1:1:log-group:/x:log-stream:y")
	want := [6]string{"arn", "aws", "logs", "us-east-1", "1", "log-group:/x:log-stream:y"}
	if !ok || parts != want {
		t.Errorf("Split = %q, %v; want %q", parts, ok, want)
	}
	// Split is structural only: empty fields are fine.
	if parts, ok := Split("arn:::::"); !ok || parts != [6]string{"arn"} {
		t.Errorf("Split(arn:::::) = %q, %v", parts, ok)
	}
	for _, s := range []string{"", "arn", "arn:a:b:c:d", "xarn:a:b:c:d:e", "*:a:b:c:d:e"} {
		if parts, ok := Split(s); ok || parts != [6]string{} {
			t.Errorf("Split(%q) = %q, %v; want zero, false", s, parts, ok)
		}
	}
}

func TestString(t *testing.T) {
	a := ARN{Partition: "aws", Service: "iam", AccountID: "1", Resource: "user/x"}
	if got := a.String(); got != "arn:aws:iam::1:user/x" {
		t.Errorf("String = %q", got)
	}
}

func TestResourceHelpers(t *testing.T) {
	cases := []struct {
		in                 string
		typ, name, iamPath string
	}{
		{"arn:aws:iam::1:role/Name", "role", "Name", "/"},
		{"arn:aws:iam::1:role/a/b/Name", "role", "Name", "/a/b/"},
		{"arn:aws:iam::1:role/aws-service-role/access-analyzer.amazonaws.com/AWSServiceRoleForAccessAnalyzer", "role", "AWSServiceRoleForAccessAnalyzer", "/aws-service-role/access-analyzer.amazonaws.com/"},
		{"arn:aws:iam::1:user/division_abc/subdivision_xyz/JaneDoe", "user", "JaneDoe", "/division_abc/subdivision_xyz/"},
		{"arn:aws:iam::1:policy/P", "policy", "P", "/"},
		{"arn:aws:iam::1:instance-profile/p/IP", "instance-profile", "IP", "/p/"},
		{"arn:aws:iam::1:root", "", "root", ""},
		{"arn:aws:sts::1:assumed-role/R/S", "assumed-role", "R/S", ""},
		{"arn:aws:sts::1:federated-user/Bob", "federated-user", "Bob", ""},
		{"arn:aws:ecs:us-east-1:1:task-definition/fam:3", "task-definition", "fam:3", ""},
		{"arn:aws:ecs:us-east-1:1:cluster/default", "cluster", "default", ""},
		{"arn:aws:logs:us-east-1:1:log-group:/x", "log-group", "/x", ""},
		{"arn:aws:logs:us-east-1:1:log-group:/aws/ecs/x:log-stream:y", "log-group", "/aws/ecs/x:log-stream:y", ""},
		{"arn:aws:s3:::bucket", "", "bucket", ""},
		{"arn:aws:s3:::bucket/key/part", "bucket", "key/part", ""},
	}
	for _, c := range cases {
		a := MustParse(c.in)
		if got := a.ResourceType(); got != c.typ {
			t.Errorf("%s: ResourceType = %q, want %q", c.in, got, c.typ)
		}
		if got := a.ResourceName(); got != c.name {
			t.Errorf("%s: ResourceName = %q, want %q", c.in, got, c.name)
		}
		if got := a.IAMPath(); got != c.iamPath {
			t.Errorf("%s: IAMPath = %q, want %q", c.in, got, c.iamPath)
		}
	}
}

func TestConstructors(t *testing.T) {
	cases := []struct {
		got  ARN
		want string
	}{
		{IAM("aws", "123456789012", "role", "/", "R"), "arn:aws:iam::123456789012:role/R"},
		{IAM("aws", "123456789012", "role", "", "R"), "arn:aws:iam::123456789012:role/R"},
		{IAM("aws", "123456789012", "user", "/a/b/", "U"), "arn:aws:iam::123456789012:user/a/b/U"},
		{IAM("aws", "123456789012", "user", "a/b", "U"), "arn:aws:iam::123456789012:user/a/b/U"},
		{IAM("aws-us-gov", "1", "policy", "/p/", "P"), "arn:aws-us-gov:iam::1:policy/p/P"},
		{IAM("aws", "1", "instance-profile", "/", "IP"), "arn:aws:iam::1:instance-profile/IP"},
		{IAM("aws", "1", "group", "/g/", "G"), "arn:aws:iam::1:group/g/G"},
		{IAM("", "1", "role", "", "R"), "arn:aws:iam::1:role/R"},
		{AssumedRole("aws", "123456789012", "Accounting-Role", "Mary"), "arn:aws:sts::123456789012:assumed-role/Accounting-Role/Mary"},
		{AssumedRole("", "1", "R", "S"), "arn:aws:sts::1:assumed-role/R/S"},
		{Root("aws", "123456789012"), "arn:aws:iam::123456789012:root"},
		{Root("aws-cn", "1"), "arn:aws-cn:iam::1:root"},
	}
	for _, c := range cases {
		if s := c.got.String(); s != c.want {
			t.Errorf("got %q, want %q", s, c.want)
		}
		if back := MustParse(c.want); back != c.got {
			t.Errorf("Parse(%q) = %+v, constructor built %+v", c.want, back, c.got)
		}
	}
	// Constructors and helpers agree.
	r := IAM("aws", "1", "role", "/svc/", "Name")
	if r.ResourceType() != "role" || r.ResourceName() != "Name" || r.IAMPath() != "/svc/" {
		t.Errorf("helpers disagree with IAM(): %q %q %q", r.ResourceType(), r.ResourceName(), r.IAMPath())
	}
}

func TestClassifyPrincipal(t *testing.T) {
	cases := []struct {
		in   string
		want PrincipalKind
	}{
		{"arn:aws:iam::1:root", PrincipalRoot},
		{"arn:aws:iam::123456789012:root", PrincipalRoot},
		{"arn:aws:iam::1:user/x", PrincipalUser},
		{"arn:aws:iam::1:user/p/q/x", PrincipalUser},
		{"arn:aws:iam::1:role/x", PrincipalRole},
		{"arn:aws-cn:iam::1:role/service-role/x", PrincipalRole},
		{"arn:aws:sts::1:assumed-role/r/s", PrincipalAssumedRole},
		{"arn:aws:sts::1:federated-user/n", PrincipalFederatedUser},
		{"ecs-tasks.amazonaws.com", PrincipalService},
		{"s3.amazonaws.com", PrincipalService},
		{"ecs-tasks.amazonaws.com.cn", PrincipalService},
		{"*", PrincipalAnonymous},
		{"123456789012", PrincipalAccount},
		{"arn:aws:iam::1:saml-provider/ADFS", PrincipalSAMLProvider},
		{"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com", PrincipalOIDCProvider},

		{"", PrincipalUnknown},
		{"**", PrincipalUnknown},
		{"12345678901", PrincipalUnknown},
		{"1234567890123", PrincipalUnknown},
		{"amazonaws.com", PrincipalUnknown},
		{".amazonaws.com", PrincipalUnknown},
		{"evil/x.amazonaws.com", PrincipalUnknown},
		{"accounts.google.com", PrincipalUnknown},
		{"arn:aws:iam::1:group/g", PrincipalUnknown},
		{"arn:aws:iam::1:policy/p", PrincipalUnknown},
		{"arn:aws:iam::1:user/", PrincipalUnknown},
		{"arn:aws:iam::1:role/path/", PrincipalUnknown},
		{"arn:aws:iam:us-east-1:1:role/x", PrincipalUnknown},
		{"arn:aws:iam:::role/x", PrincipalUnknown},
		{"arn:aws:iam::1:rooty", PrincipalUnknown},
		{"arn:aws:sts::1:role/x", PrincipalUnknown},
		{"arn:aws:sts::1:assumed-role/r", PrincipalUnknown},
		{"arn:aws:sts::1:assumed-role/r/", PrincipalUnknown},
		{"arn:aws:sts::1:assumed-role//s", PrincipalUnknown},
		{"arn:aws:sts::1:assumed-role/r/s/t", PrincipalUnknown},
		{"arn:aws:sts::1:federated-user/", PrincipalUnknown},
		{"arn:aws:iam::1:assumed-role/r/s", PrincipalUnknown},
		{"arn:aws:ecs:us-east-1:1:task/x", PrincipalUnknown},
	}
	for _, c := range cases {
		if got := ClassifyPrincipal(c.in); got != c.want {
			t.Errorf("ClassifyPrincipal(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestPrincipalKindString(t *testing.T) {
	if PrincipalAssumedRole.String() != "AssumedRole" || PrincipalUnknown.String() != "Unknown" {
		t.Error("unexpected names")
	}
	if got := PrincipalKind(99).String(); got != "PrincipalKind(99)" {
		t.Errorf("out of range: %q", got)
	}
	if got := PrincipalKind(-1).String(); got != "PrincipalKind(-1)" {
		t.Errorf("negative: %q", got)
	}
}

func TestRoleFromAssumedRole(t *testing.T) {
	cases := []struct {
		in            string
		role, session string
		ok            bool
	}{
		{"arn:aws:sts::123456789012:assumed-role/Accounting-Role/Mary", "Accounting-Role", "Mary", true},
		{"arn:aws:sts::1:assumed-role/r/s@x.com", "r", "s@x.com", true},
		{"arn:aws:sts::1:assumed-role/r", "", "", false},
		{"arn:aws:sts::1:assumed-role/r/", "", "", false},
		{"arn:aws:sts::1:assumed-role//s", "", "", false},
		{"arn:aws:sts::1:assumed-role/a/b/c", "", "", false},
		{"arn:aws:sts::1:federated-user/n", "", "", false},
		{"arn:aws:iam::1:assumed-role/r/s", "", "", false},
		{"arn:aws:iam::1:role/r", "", "", false},
	}
	for _, c := range cases {
		role, session, ok := RoleFromAssumedRole(MustParse(c.in))
		if role != c.role || session != c.session || ok != c.ok {
			t.Errorf("RoleFromAssumedRole(%q) = %q, %q, %v; want %q, %q, %v", c.in, role, session, ok, c.role, c.session, c.ok)
		}
	}
	// Round trip with the constructor.
	role, session, ok := RoleFromAssumedRole(AssumedRole("aws", "1", "R", "S"))
	if !ok || role != "R" || session != "S" {
		t.Errorf("constructor round trip: %q %q %v", role, session, ok)
	}
}

func TestValidPartition(t *testing.T) {
	for _, p := range []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"} {
		if !ValidPartition(p) {
			t.Errorf("ValidPartition(%q) = false", p)
		}
	}
	for _, p := range []string{"", "AWS", "aws-gov", "aws-iso-c", "*", "aws ", "azure"} {
		if ValidPartition(p) {
			t.Errorf("ValidPartition(%q) = true", p)
		}
	}
}

func TestMatch(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/R"
	const ecsTask = "arn:aws:ecs:us-east-1:123456789012:task/cluster/abc"
	const stream = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/ecs/web:log-stream:ecs/web/123"
	cases := []struct {
		pattern, value string
		want           bool
	}{
		// Resource wildcards span '/' and ':'.
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/a", false},
		{"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1/2/test/3/object.jpg", true},
		{"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET//test/object.jpg", true},
		{"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/test/object.jpg", false},
		{"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/1-test/object.jpg", false},
		{"arn:aws:logs:*:*:log-group:/aws/ecs/*", stream, true},
		{"arn:aws:logs:*:*:log-group:/aws/lambda/*", stream, false},
		{"arn:aws:ecs:us-east-1:123456789012:task-definition/fam:*", "arn:aws:ecs:us-east-1:123456789012:task-definition/fam:3", true},
		{"arn:aws:ecs:us-east-1:123456789012:task-definition/fam:?", "arn:aws:ecs:us-east-1:123456789012:task-definition/fam:12", false},

		// Wildcards within the first five fields.
		{"arn:aws:iam::*:role/*", role, true},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:user/R", false},
		{"arn:aws:iam::*:role/*", "arn:aws:sts::123456789012:assumed-role/R/S", false},
		{"arn:aws:*:us-east-1:*:*", "arn:aws:ecs:us-west-2:123456789012:task/x", false},
		{"arn:aws:*:us-east-1:*:*", ecsTask, true},
		{"arn:aws:ec*:*:*:*", ecsTask, true},
		{"arn:aws:ec?:*:*:*", ecsTask, true},
		{"arn:aws:ec?:*:*:*", "arn:aws:ec2:us-east-1:1:instance/i-1", true},
		{"arn:aws:ec?:*:*:*", "arn:aws:eks:us-east-1:1:cluster/c", false},
		{"arn:aws*:iam::*:root", "arn:aws-cn:iam::1:root", true},
		{"arn:aws:iam:*:*:root", "arn:aws:iam::1:root", true}, // '*' matches an empty field
		{"arn:aws:iam:?:*:root", "arn:aws:iam::1:root", false},
		{"*:*:*:*:*:*", ecsTask, true},

		// A wildcard in the region field never reaches into the account.
		{"arn:aws:ecs:*1:task/x", "arn:aws:ecs:us-east-1:123456789012:task/x", false},
		{"arn:aws:ecs:*1:*:task/x", "arn:aws:ecs:us-east-1:123456789012:task/x", true},
		{"arn:aws:ecs:*2:*:task/x", "arn:aws:ecs:us-east-1:123456789012:task/x", false},
		{"arn:aws:ecs:*:*2:task/x", "arn:aws:ecs:us-east-1:123456789012:task/x", true},
		{"arn:aws:ecs:us-east-*:task/x", "arn:aws:ecs:us-east-1:123456789012:task/x", false},
		{"arn:aws:ecs:*:task/x", "arn:aws:ecs:us-east-1:123456789012:task/x", false},
		{"arn:aws:someservice:*:111122223333:finance/*", "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt", false},
		{"arn:aws:someservice:*:111122223333:finance/*", "arn:aws:someservice:us-east-2:111122223333:finance/document.txt", true},

		// Case-sensitive throughout.
		{role, "arn:aws:iam::123456789012:role/r", false},
		{role, role, true},
		{"arn:aws:IAM::123456789012:role/R", role, false},
		{"ARN:aws:iam::123456789012:role/R", role, false},

		// "*" and all-star patterns match anything, ARN or not.
		{"*", role, true},
		{"*", "", true},
		{"*", "not an arn", true},
		{"***", stream, true},

		// Non-ARN values fall back to a whole-string glob.
		{"ecs-tasks.*", "ecs-tasks.amazonaws.com", true},
		{"arn:aws:s3:::*", "arn:aws:s3", false},
		{"arn:aws:*", "arn:aws:s3", true},
		{"", "", true},
		{"", role, false},
		{"a*", "abc", true},

		// Short patterns cannot match a full ARN field by field.
		{"arn:aws:*", role, false},
		{"arn:*", role, false},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.value); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.value, got, c.want)
		}
	}
	// The ArnLike example that differs from StringLike really does differ.
	p, v := "arn:aws:someservice:*:111122223333:finance/*", "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
	if !wildcard.Match(p, v) {
		t.Error("plain glob should match the doc example (it lets * span colons)")
	}
}

func TestNoAllocs(t *testing.T) {
	const pattern = "arn:aws:logs:*:*:log-group:/aws/ecs/*"
	const value = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/ecs/web:log-stream:ecs/web/123"
	var sink bool
	checks := map[string]func(){
		"Match":             func() { sink = Match(pattern, value) },
		"Match non-ARN":     func() { sink = Match("ecs-*", "ecs-tasks.amazonaws.com") },
		"Match short":       func() { sink = Match("arn:aws:*", value) },
		"IsARN":             func() { sink = IsARN(value) },
		"Split":             func() { _, sink = Split(value) },
		"ClassifyPrincipal": func() { sink = ClassifyPrincipal("arn:aws:sts::1:assumed-role/r/s") == PrincipalAssumedRole },
		"ResourceName":      func() { sink = MustParseNoAlloc(value).ResourceName() != "" },
	}
	for name, f := range checks {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %v times per call", name, n)
		}
	}
	_ = sink
}

// MustParseNoAlloc builds an ARN from Split, so the allocation check for the
// accessors measures only the accessors.
func MustParseNoAlloc(s string) ARN {
	p, _ := Split(s)
	return ARN{p[1], p[2], p[3], p[4], p[5]}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"arn:aws:s3:::bucket",
		"arn:aws:ecs:us-east-1:123456789012:task-definition/fam:3",
		"arn:aws:logs:us-east-1:1:log-group:/aws/ecs/x:log-stream:y",
		"arn:aws:sts::1:assumed-role/r/s",
		"arn:aws:iam::1:root",
		"arn:::::",
		"arn:aws",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if IsARN(s) != (err == nil) {
			t.Fatalf("IsARN(%q) = %v but Parse error = %v", s, IsARN(s), err)
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error is %T, want *ParseError", s, err)
			}
			if len(err.Error()) > maxErrInput+250 {
				t.Fatalf("error message too long: %d bytes", len(err.Error()))
			}
			return
		}
		if a.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, a.String())
		}
		b, err := Parse(a.String())
		if err != nil || b != a {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", s, b, err, a)
		}
		// Helpers must not panic on anything Parse accepts.
		_ = a.ResourceType()
		_ = a.ResourceName()
		_ = a.IAMPath()
		_, _, _ = RoleFromAssumedRole(a)
		_ = ClassifyPrincipal(s)
		if !Match(s, s) && !wildcard.HasWildcard(s) {
			t.Fatalf("%q does not match itself", s)
		}
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b")
	f.Add("arn:aws:ecs:*1:task/x", "arn:aws:ecs:us-east-1:123456789012:task/x")
	f.Add("*", "")
	f.Add("a?c", "abc")
	f.Fuzz(func(t *testing.T, pattern, value string) {
		_ = Match(pattern, value)
		if !Match("*", value) {
			t.Fatalf(`Match("*", %q) = false`, value)
		}
		if !wildcard.HasWildcard(value) && !Match(value, value) {
			t.Fatalf("Match(%q, %q) = false, a literal must match itself", value, value)
		}
		if !wildcard.HasWildcard(pattern) && pattern != value && Match(pattern, value) {
			t.Fatalf("literal pattern %q matched different value %q", pattern, value)
		}
		// Field-wise matching is never looser than a whole-string glob.
		if Match(pattern, value) && !wildcard.Match(pattern, value) {
			t.Fatalf("Match(%q, %q) is true but the whole-string glob is false", pattern, value)
		}
	})
}
