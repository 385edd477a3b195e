package api

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/rolecall/rolecall/internal/awserr"
)

// Required2 answers Required's error for the first missing parameter, in
// the order given.
func TestQueryRequired2(t *testing.T) {
	for _, tc := range []struct {
		params url.Values
		a, b   string
		msg    string
	}{
		{url.Values{"GroupName": {"g"}, "UserName": {"u"}}, "g", "u", ""},
		{url.Values{"GroupName": {""}, "UserName": {""}}, "", "", ""},
		{url.Values{}, "", "", "1 validation error detected: Value null at 'groupName' failed to satisfy constraint: Member must not be null"},
		{url.Values{"UserName": {"u"}}, "", "", "1 validation error detected: Value null at 'groupName' failed to satisfy constraint: Member must not be null"},
		{url.Values{"GroupName": {"g"}}, "", "", "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"},
	} {
		q := &Query{Params: tc.params}
		a, b, err := q.Required2("GroupName", "UserName")
		if tc.msg == "" {
			if err != nil || a != tc.a || b != tc.b {
				t.Errorf("%v: got %q, %q, %v; want %q, %q", tc.params, a, b, err, tc.a, tc.b)
			}
			continue
		}
		e, ok := awserr.As(err)
		if !ok || e.Code != "ValidationError" || e.Message != tc.msg || a != "" || b != "" {
			t.Errorf("%v: got %q, %q, %v; want ValidationError %q", tc.params, a, b, err, tc.msg)
		}
	}
}

// An action a Query-protocol service does not serve is InvalidAction, in
// that service's namespace.
func TestQueryUnknownAction(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct{ service, version, xmlns string }{
		{"iam", "2010-05-08", iamXMLNS},
		{"sts", "2011-06-15", stsXMLNS},
	} {
		req := signedRequest(t, ts.URL, tc.service, "Action=NoSuchThing&Version="+tc.version, testRootKey, testRootSecret, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := `<ErrorResponse xmlns="` + tc.xmlns + `"><Error><Type>Sender</Type><Code>InvalidAction</Code>` +
			`<Message>Could not find operation NoSuchThing for version ` + tc.version + `</Message></Error>` +
			`<RequestId>` + resp.Header.Get("x-amzn-RequestId") + `</RequestId></ErrorResponse>`
		if resp.StatusCode != http.StatusBadRequest || string(body) != want {
			t.Errorf("%s: %d %s\nwant 400 %s", tc.service, resp.StatusCode, body, want)
		}
	}
}

// Struct returns each member's fields that were sent, up to the first
// member with none; a request without the list costs no allocation.
func TestQueryStruct(t *testing.T) {
	q := &Query{Params: url.Values{
		"Tags.member.1.Key": {"a"}, "Tags.member.1.Value": {"1"},
		"Tags.member.2.Key": {"b"},
		"Tags.member.4.Key": {"d"},
	}}
	got := q.Struct("Tags", "Key", "Value")
	if len(got) != 2 || got[0]["Key"] != "a" || got[0]["Value"] != "1" || got[1]["Key"] != "b" || len(got[1]) != 1 {
		t.Errorf("Struct: %v", got)
	}
	if got := q.Struct("PolicyArns", "arn"); got != nil {
		t.Errorf("absent list: %v", got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = q.Struct("PolicyArns", "arn") }); n != 0 {
		t.Errorf("absent list: %v allocations", n)
	}
}
