package policy

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"unicode/utf8"
)

func seedFuzz(f *testing.F) {
	for _, name := range []string{"malformed_policies.json", "malformed_trust_policies.json"} {
		if _, err := os.Stat("testdata/" + name); err != nil {
			continue
		}
		var t testing.T
		for _, c := range loadCases(&t, name) {
			f.Add([]byte(c.Document))
		}
	}
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Allow","Action":["ecs:Submit*"],"Resource":"arn:aws:ecs:*:${aws:PrincipalAccount}:cluster/*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*",1,true]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`))
	f.Add([]byte(`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333"]},"NotAction":"iam:*","NotResource":"*"}}`))
}

// FuzzParse: any input either parses or returns an *Error; a parsed document
// prints to JSON that parses back to the same document.
func FuzzParse(f *testing.F) {
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		printed, err := doc.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("printed form does not parse: %v\n%s", err, printed)
		}
		if !reflect.DeepEqual(doc, again) {
			t.Fatalf("round trip changed the document:\n%s\n%s", printed, again.String())
		}
		// Whatever Check accepts must compile.
		for _, typ := range []Type{TypeIdentity, TypeTrust, TypeResource} {
			if doc, err := Check(data, CheckOptions{Type: typ}); err == nil {
				if _, err := Compile(doc, typ, "fuzz"); err != nil {
					t.Fatalf("Check accepted but Compile rejected (%v): %v\n%s", typ, err, data)
				}
			}
		}
	})
}

// FuzzEvaluate: whatever compiles evaluates without panicking, for any
// request shape.
func FuzzEvaluate(f *testing.F) {
	seedFuzz(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			return
		}
		p, err := Compile(doc, TypeIdentity, "fuzz")
		if err != nil {
			return
		}
		trust, _ := Compile(doc, TypeTrust, "trust")
		ev := NewEvaluator(Set{Identity: []*Policy{p}, Resource: trust, Boundary: p, Session: []*Policy{p}, SCPs: [][]*Policy{{p}}})
		ctx := NewContext().Set("aws:username", "bob").Set("aws:TagKeys", "a", "b").Set("aws:SourceIp", "10.1.2.3").Set("aws:CurrentTime", "2026-01-01T00:00:00Z")
		var res Result
		for _, pr := range []string{"arn:aws:iam::111122223333:user/bob", "arn:aws:sts::111122223333:assumed-role/r/s", "ecs-tasks.amazonaws.com", "*", "arn:aws:iam::111122223333:root"} {
			principal, err := PrincipalFromARN(pr)
			if err != nil {
				t.Fatal(err)
			}
			for _, act := range []string{"s3:GetObject", "ECS:SubmitTaskStateChange", "sts:AssumeRole", ""} {
				ev.Evaluate(&Request{Principal: principal, Action: act, Resource: "arn:aws:s3:::bucket/key", Context: ctx}, &res)
			}
		}
	})
}

// FuzzScannerMatchesEncodingJSON: the hand-written scanner accepts exactly
// the documents encoding/json accepts (up to the nesting limit) and decodes
// strings the same way.
func FuzzScannerMatchesEncodingJSON(f *testing.F) {
	seedFuzz(f)
	f.Add([]byte(`"\ud83d\ude00 \u00e9 \\ \/ \b\f\n\r\t"`))
	f.Add([]byte(`[1, -0.5e+3, true, false, null, {"a": []}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return
		}
		s := newScanner(data)
		n, err := s.value()
		if err == nil {
			s.skipSpace()
			if s.pos < len(data) {
				err = s.fail("trailing data")
			}
		}
		if s.depth > maxNesting-1 {
			return
		}
		if (err == nil) != json.Valid(data) {
			t.Fatalf("scanner ok=%v, encoding/json valid=%v for %q", err == nil, json.Valid(data), data)
		}
		if err == nil && n.kind == kString {
			var want string
			if json.Unmarshal(data, &want) == nil && want != n.text {
				t.Fatalf("string %q decoded as %q, encoding/json gives %q", data, n.text, want)
			}
		}
	})
}
