package api

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/iam"
)

// Whatever text goes in, the element is well-formed XML and reads back as
// the text, with only characters XML cannot carry replaced.
func FuzzEscapeXML(f *testing.F) {
	f.Add("plain")
	f.Add("a<b>&\"'\r\n\t c")
	f.Add("\x01\x1f\xff\xfe bad \uFFFE\uFFFF ok é 漢")
	f.Fuzz(func(t *testing.T, s string) {
		var x XML
		x.Elem("M", s)
		if err := xmlWellFormed(x.Bytes()); err != nil {
			t.Fatalf("not well-formed for %q: %v\n%s", s, err, x.Bytes())
		}
	})
}

// xmlWellFormed returns the first error reading b as XML, if any.
func xmlWellFormed(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := dec.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func TestEscapeXMLRoundTrip(t *testing.T) {
	for in, want := range map[string]string{
		"a<b>&c":      "a<b>&c",
		"line\nbreak": "line\nbreak",
		"ctl\x01x":    "ctl\uFFFDx",
		"bad\xffutf":  "bad\uFFFDutf",
		"ok é 漢":      "ok é 漢",
	} {
		var x XML
		x.Elem("M", in)
		var got string
		if err := xml.Unmarshal(x.Bytes(), &got); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got != want {
			t.Errorf("%q read back as %q, want %q", in, got, want)
		}
	}
}

// The exact text written: IAM's entity escapes for markup and whitespace,
// U+FFFD for what XML 1.0 cannot carry, everything else as it is.
func TestEscapeXMLBytes(t *testing.T) {
	for in, want := range map[string]string{
		"plain \x7f~":            "plain \x7f~",
		"a<b>&\"'c":              "a&lt;b&gt;&amp;&quot;&apos;c",
		"\r\n\t":                 "&#xD;&#xA;&#x9;",
		"\x00\x1f":               "\uFFFD\uFFFD",
		"é漢\uFFFD":               "é漢\uFFFD",
		"\xff\xe6\xbc!":          "\uFFFD\uFFFD\uFFFD!",
		"\uFFFE\uFFFF\U0001F600": "\uFFFD\uFFFD\U0001F600",
	} {
		var b bytes.Buffer
		escapeXML(&b, in)
		if b.String() != want {
			t.Errorf("%q escaped as %q, want %q", in, b.String(), want)
		}
	}
}

// Each Role shape writes exactly the elements AWS's operation returns, in
// AWS's order.
func TestWriteRoleShapes(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &iam.Role{Name: "r", Path: "/", ID: "AROAEXAMPLE", ARN: "arn:aws:iam::123456789012:role/r", CreateDate: now,
		AssumeRolePolicy: "{}", Description: "d", MaxSessionDuration: 3600, PermissionsBoundary: "arn:aws:iam::aws:policy/B",
		Tags: []iam.Tag{{Key: "k", Value: "v"}}, LastUsed: now, LastUsedRegion: "us-east-1"}
	const (
		identity = `<Path>/</Path><RoleName>r</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::123456789012:role/r</Arn><CreateDate>2026-01-02T03:04:05Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>`
		desc     = `<Description>d</Description>`
		maxSess  = `<MaxSessionDuration>3600</MaxSessionDuration>`
		boundary = `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>arn:aws:iam::aws:policy/B</PermissionsBoundaryArn></PermissionsBoundary><Tags><member><Key>k</Key><Value>v</Value></member></Tags>`
		lastUsed = `<RoleLastUsed><LastUsedDate>2026-01-02T03:04:05Z</LastUsedDate><Region>us-east-1</Region></RoleLastUsed>`
	)
	for shape, want := range map[roleShape]string{
		roleInProfile:  identity,
		roleCreated:    identity + boundary,
		roleDescribed:  identity + desc + boundary,
		roleListMember: identity + desc + maxSess,
		roleFull:       identity + desc + maxSess + boundary + lastUsed,
	} {
		var x XML
		writeRole(&x, "Role", r, shape)
		if got := string(x.Bytes()); got != "<Role>"+want+"</Role>" {
			t.Errorf("shape %d:\n got %s\nwant <Role>%s</Role>", shape, got, want)
		}
	}
}
