package api

import (
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
