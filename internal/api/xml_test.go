package api

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"
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
		dec := xml.NewDecoder(bytes.NewReader(x.Bytes()))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed for %q: %v\n%s", s, err, x.Bytes())
			}
		}
	})
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
